import type { IssuedToken } from './tokens.js';

/** Tokens kept for the control plane and the inspector, newest last; older ones are forgotten. */
const KEPT = 500;

/** One token as GET /__dcr/tokens shows it: the token, its decoded header and claims, and who got it. */
export interface IssuedTokenEntry {
  readonly n: number;
  readonly kind: string;
  readonly client_id: string;
  readonly grant_type: string;
  /** The failure mode that bent it (expired, outsider, wrong_audience), if any. */
  readonly variant?: string | undefined;
  readonly format: 'jwt' | 'opaque';
  readonly token: string;
  readonly header?: Readonly<Record<string, unknown>> | undefined;
  readonly claims: Readonly<Record<string, unknown>>;
}

export interface IssuedRecord {
  readonly kind: string;
  readonly client_id: string;
  readonly grant_type: string;
  readonly variant?: string | undefined;
  readonly token: IssuedToken;
}

/** The last KEPT access and id tokens issued, in memory: a log to look at, not a store. */
export class IssuedTokens {
  #entries: IssuedTokenEntry[] = [];
  #count = 0;

  record({ kind, client_id, grant_type, variant, token }: IssuedRecord): void {
    const entry: IssuedTokenEntry = {
      n: ++this.#count,
      kind,
      client_id,
      grant_type,
      ...(variant !== undefined && { variant }),
      format: token.format,
      token: token.token,
      ...(token.header !== undefined && { header: token.header }),
      claims: token.claims,
    };
    this.#entries.push(entry);
    if (this.#entries.length > KEPT) this.#entries.splice(0, this.#entries.length - KEPT);
  }

  list(): readonly IssuedTokenEntry[] {
    return this.#entries;
  }

  clear(): void {
    this.#entries = [];
    this.#count = 0;
  }
}
