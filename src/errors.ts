import { type Answer, NO_STORE, jsonAnswer } from './http/answer.js';

/**
 * An error that knows its wire format: the HTTP status, the OAuth `error` code and the
 * `error_description` a client receives. `toAnswer` is the one place it becomes a response.
 */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** When a limit (not a failure rule) refused: what the journal's failure column shows, e.g. `limit:rate-limit`. */
    readonly failure?: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }

  toBody(): Record<string, unknown> {
    return { error: this.error, error_description: this.description };
  }

  toAnswer(): Answer {
    return jsonAnswer(this.status, this.toBody(), { ...NO_STORE, ...this.headers });
  }
}

export class InvalidRequest extends OAuthError {
  constructor(description: string, headers?: Readonly<Record<string, string>>) {
    super(400, 'invalid_request', description, headers);
  }
}

export class InvalidClientMetadata extends OAuthError {
  constructor(description: string) {
    super(400, 'invalid_client_metadata', description);
  }
}

export class InvalidRedirectUri extends OAuthError {
  constructor(description: string) {
    super(400, 'invalid_redirect_uri', description);
  }
}

export class InvalidSoftwareStatement extends OAuthError {
  constructor(description: string) {
    super(400, 'invalid_software_statement', description);
  }
}

export class UnapprovedSoftwareStatement extends OAuthError {
  constructor(description: string) {
    super(400, 'unapproved_software_statement', description);
  }
}

/** RFC 6750 §3.1: 401 with `WWW-Authenticate: Bearer error="invalid_token"`. */
export class InvalidToken extends OAuthError {
  constructor(description: string, failure?: string) {
    const header = `Bearer error="invalid_token", error_description="${description.replace(/["\\]/g, '')}"`;
    super(401, 'invalid_token', description, { 'www-authenticate': header }, failure);
  }
}

export class PayloadTooLarge extends OAuthError {
  constructor(limit: number) {
    super(413, 'invalid_request', `request body must be at most ${limit} bytes`);
  }
}

/** The client closed the connection before its body was complete: nobody is left to answer, nothing to log. */
export class IncompleteBody extends OAuthError {
  constructor() {
    super(400, 'invalid_request', 'request body must arrive in full; the client closed the connection');
  }
}

/** A guarded route refusing a browser's request (a foreign Host or Origin). */
export class Forbidden extends OAuthError {
  constructor(description: string) {
    super(403, 'forbidden', description);
  }
}

export class UnsupportedMediaType extends OAuthError {
  constructor(description: string) {
    super(415, 'invalid_request', description);
  }
}

export class NotFound extends OAuthError {
  constructor(description: string) {
    super(404, 'not_found', description);
  }
}

/** A `/t/NAME/` path of a tenant the server was not started with; the body lists those it serves. */
export class UnknownTenant extends OAuthError {
  constructor(
    name: string,
    readonly tenants: readonly string[],
  ) {
    const known = tenants.length === 0 ? 'none' : tenants.join(', ');
    super(
      404,
      'unknown_tenant',
      `no tenant ${JSON.stringify(name)} here (tenants: ${known}); start dcr-mock with --tenant ${name || 'NAME'} (or "tenants" in the config file) to serve its issuer at /t/${name || 'NAME'}/`,
    );
  }

  override toBody(): Record<string, unknown> {
    return { ...super.toBody(), tenants: [...this.tenants] };
  }
}

/** Auth0's own error shape (`{statusCode, error, message[, errorCode]}`), not OAuth's. */
export class Auth0Error extends OAuthError {
  constructor(
    status: number,
    readonly title: string,
    message: string,
    readonly errorCode?: string,
    failure?: string,
  ) {
    super(status, errorCode ?? title, message, {}, failure);
  }

  override toBody(): Record<string, unknown> {
    const body: Record<string, unknown> = { statusCode: this.status, error: this.title, message: this.description };
    if (this.errorCode !== undefined) body['errorCode'] = this.errorCode;
    return body;
  }
}

/** Auth0's answer when the tenant has dynamic client registration off. */
export class RegistrationDisabled extends Auth0Error {
  constructor() {
    super(400, 'Bad Request', 'dynamic client registration is disabled');
  }
}

/** Auth0's tenant application limit (free tenants: 10 applications). */
export class TooManyEntities extends Auth0Error {
  constructor(failure?: string) {
    super(
      403,
      'Forbidden',
      'You reached the limit of entities of this type for this tenant.',
      'too_many_entities',
      failure,
    );
  }
}

/** Auth0's rate-limit headers: the bucket's size, what is left, when it refills (unix seconds). */
export function rateLimitHeaders(limit: number, remaining: number, resetUnixSeconds: number, retryAfter?: number) {
  const headers: Record<string, string> = {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(resetUnixSeconds),
  };
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  return headers;
}

/** Auth0's 429: `too_many_requests` with the X-RateLimit-* headers and Retry-After. */
export class RateLimited extends OAuthError {
  constructor(description: string, headers: Readonly<Record<string, string>>, failure?: string) {
    super(429, 'too_many_requests', description, headers, failure);
  }
}

/**
 * The store could not write to disk (full, read-only, not permitted): a 503 whose description names
 * the cause, as the system gave it (`ENOSPC`, `EROFS`, `EACCES`…), and what the request changed.
 */
export class StorageUnavailable extends OAuthError {
  constructor(
    what: string,
    override readonly cause: unknown,
    outcome: string,
  ) {
    const e = cause as NodeJS.ErrnoException;
    const why = e?.code && !e.message.startsWith(e.code) ? `${e.code}: ${e.message}` : (e?.message ?? String(cause));
    super(503, 'temporarily_unavailable', `the store could not write ${what} (${why}); ${outcome}`);
  }
}

/** Turns anything thrown by a handler into its wire format; what is not an OAuthError is hidden as server_error. */
export function toWireError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  return new OAuthError(500, 'server_error', 'the server met an unexpected condition; see its log');
}

/**
 * A problem a person at a terminal must fix (bad option, unreadable db.json). Its message reads
 * `Failed to <do X>: <why>. <what to do>`; `exitCode` is 2 for bad usage, 1 for a bad environment.
 */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** A bad option: exit code 2, and `why` kept apart, so that the one who merges the options can say where it was set. */
export class UsageError extends StartupError {
  constructor(readonly why: string) {
    super(`Failed to read the options: ${why}. Run dcr-mock --help for the list.`, 2);
  }
}

export const usageError = (why: string): StartupError => new UsageError(why);
