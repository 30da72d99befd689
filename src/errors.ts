/**
 * An error that knows its wire format: the HTTP status, the OAuth `error` code and the
 * `error_description` a client receives. Only `sendError` turns it into a response.
 */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(description);
    this.name = 'OAuthError';
  }

  toBody(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
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

export class NotFound extends OAuthError {
  constructor(description: string) {
    super(404, 'not_found', description);
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
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

export const usageError = (why: string): StartupError =>
  new StartupError(`Failed to read the options: ${why}. Run dcr-mock --help for the list.`, 2);
