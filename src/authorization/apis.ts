import { StartupError } from '../errors.js';
import { isObject } from '../is-object.js';
import { show } from '../show.js';
import { serviceNotFound } from './errors.js';

/** An API (Auth0's resource server): its identifier, the audience of its tokens, and the scopes it defines. */
export interface Api {
  readonly identifier: string;
  /** Undefined: any scope is kept. */
  readonly scopes: readonly string[] | undefined;
}

/** The scopes OpenID Connect defines, which belong to no API and are never dropped for one. */
export const OIDC_SCOPES: readonly string[] = ['openid', 'profile', 'email', 'address', 'phone', 'offline_access'];

const failure = (why: string): StartupError =>
  new StartupError(
    `Failed to read --api: ${why}. Write ID or ID:scope scope…, e.g. --api "https://api.example.com:read:items write:items"`,
    2,
  );

/**
 * `--api` values and the `apis` of a config file: `ID`, `ID:scope scope…` (split at the first ":" that is
 * followed by a space-separated scope list, so an https identifier keeps its colons), or
 * `{ "identifier": ID, "scopes": [...] }`.
 */
export function parseApis(value: unknown): Api[] {
  const entries = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const apis: Api[] = [];
  for (const [i, entry] of entries.entries()) {
    const api = typeof entry === 'string' ? fromSpec(entry) : fromObject(entry, i);
    if (apis.some((a) => a.identifier === api.identifier)) throw failure(`${show(api.identifier)} is declared twice`);
    apis.push(api);
  }
  return apis;
}

function fromSpec(spec: string): Api {
  const text = spec.trim();
  if (text === '') throw failure('an API identifier must not be empty');
  const at = scopeSeparator(text);
  if (at === -1) return { identifier: text, scopes: undefined };
  const scopes = text
    .slice(at + 1)
    .split(/[\s,]+/)
    .filter((s) => s !== '');
  return { identifier: text.slice(0, at), scopes };
}

/**
 * Where the scopes start: the first ":" that is not a URL's scheme separator ("://") nor a port
 * (":8443/", ":8443" at the end), so `https://api.example.com:8443/v1:read:items write:items` names the
 * API `https://api.example.com:8443/v1` with scopes `read:items` and `write:items`. -1: no scopes.
 */
function scopeSeparator(text: string): number {
  for (let at = text.indexOf(':'); at !== -1; at = text.indexOf(':', at + 1)) {
    const after = text.slice(at + 1);
    if (after.startsWith('//') || /^\d+(\/|$)/.test(after)) continue;
    return at === 0 ? -1 : at;
  }
  return -1;
}

function fromObject(entry: unknown, i: number): Api {
  if (!isObject(entry) || typeof entry['identifier'] !== 'string' || entry['identifier'] === '') {
    throw failure(`apis[${i}] must be "ID[:scopes]" or {"identifier": "...", "scopes": [...]}, got ${show(entry)}`);
  }
  const scopes = entry['scopes'];
  if (scopes !== undefined && !(Array.isArray(scopes) && scopes.every((s) => typeof s === 'string' && s !== ''))) {
    throw failure(`apis[${i}].scopes must be an array of scope names, got ${show(scopes)}`);
  }
  return { identifier: entry['identifier'], scopes: scopes as string[] | undefined };
}

/** The APIs a server knows. With none declared, any audience is accepted: a local mock should need no set-up. */
export class Apis {
  readonly list: readonly Api[];
  readonly #builtIn: () => readonly string[];

  /** `builtIn`: the identifiers of the server's own APIs (its MCP server), always known, with any scope. */
  constructor(apis: readonly Api[] = [], builtIn: () => readonly string[] = () => []) {
    this.list = apis;
    this.#builtIn = builtIn;
  }

  /** The API an audience names; throws Auth0's `access_denied` "Service not found: ID" for an unknown one. */
  resolve(audience: string): Api {
    if (this.list.length === 0 || this.#builtIn().includes(audience))
      return { identifier: audience, scopes: undefined };
    const api = this.list.find((a) => a.identifier === audience);
    if (!api) throw serviceNotFound(audience);
    return api;
  }

  /** The scope granted for an API: scopes it does not define are dropped, as Auth0 drops them; OIDC's stay. */
  static grantable(api: Api | undefined, scope: readonly string[]): string[] {
    if (!api) return scope.filter((s) => OIDC_SCOPES.includes(s));
    if (!api.scopes) return [...scope];
    return scope.filter((s) => OIDC_SCOPES.includes(s) || api.scopes!.includes(s));
  }
}
