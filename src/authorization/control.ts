import { OAuthError } from '../errors.js';
import type { CimdClient, CimdClients } from './cimd.js';
import type { CodeGrant } from './codes.js';
import type { IssuedTokenEntry } from './issued.js';
import type { KeySet } from './keys.js';
import { type PlayOptions, playUser } from './player.js';
import type { RefreshFamilyView } from './refresh-tokens.js';
import type { AuthorizationService } from './service.js';
import type { User } from './users.js';

/** What a test and the inspector see of the authorization server, and the levers they pull. */
export interface AuthorizationControl {
  users(): readonly User[];
  /** Codes not yet redeemed, and every refresh-token family (revoked and expired ones included) with its state. */
  grants(): { codes: CodeGrant[]; refresh_tokens: RefreshFamilyView[] };
  /** Access and id tokens issued, newest last, with their decoded header and claims. */
  tokens(): readonly IssuedTokenEntry[];
  /** Revokes every refresh-token family still live; returns how many. */
  revokeAll(): Promise<number>;
  /** A new key signs from now on; the old ones stay in the JWKS. Returns the new kid and every kid published. */
  rotateKeys(): Promise<{ kid: string; kids: string[] }>;
  /** The Client ID Metadata Documents known (preloaded, imported, fetched); none without --cimd. */
  documents(): CimdClient[];
  /** Auth0's import of a document (`POST /__dcr/cimd`). Throws CimdError for one that breaks Auth0's rules, OAuthError 400 without --cimd. */
  importDocument(document: unknown): CimdClient;
  /** Plays the user of an authorization URL headlessly; returns the redirect to the client, code and all. */
  authorize(url: string, options?: PlayOptions): Promise<string>;
}

export function authorizationControl(
  service: AuthorizationService,
  keys: KeySet,
  origin: () => string,
  cimd?: CimdClients,
): AuthorizationControl {
  return {
    users: () => service.users.list,
    grants: () => ({ codes: service.codes.list(), refresh_tokens: service.refresh.views() }),
    tokens: () => service.issued.list(),
    revokeAll: () => service.refresh.revokeAll(),
    rotateKeys: async () => {
      const key = await keys.rotate();
      return { kid: key.kid, kids: (await keys.all()).map((k) => k.kid) };
    },
    authorize: (url, options) => playUser(url, origin(), service.users, options, service.basePath),
    documents: () => cimd?.list() ?? [],
    importDocument: (document) => {
      if (!cimd)
        throw new OAuthError(400, 'invalid_request', 'Client ID Metadata Documents are off: start with --cimd');
      return cimd.import(document);
    },
  };
}
