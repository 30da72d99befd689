import { OAuthError } from '../errors.js';

/** Auth0's descriptions of a refused grant, word for word: clients and tests match on them. */
export const INVALID_CODE = 'Invalid authorization code';
export const BAD_CODE_VERIFIER = 'Failed to verify code verifier';
export const INVALID_REFRESH_TOKEN = 'Unknown or invalid refresh token.';

/** A bad, spent or expired code or refresh token, or one that does not match the request: 403, as Auth0 has it. */
export class InvalidGrant extends OAuthError {
  constructor(description: string = INVALID_CODE) {
    super(403, 'invalid_grant', description);
  }
}

/** Client authentication failed (wrong or missing secret, unknown client). */
export class InvalidClient extends OAuthError {
  constructor(description = 'Client authentication failed', headers: Readonly<Record<string, string>> = {}) {
    super(401, 'invalid_client', description, headers);
  }
}

/** The client may not use this grant type (Auth0 strict mode refuses client_credentials to DCR clients). */
export class UnauthorizedClient extends OAuthError {
  constructor(grantType: string) {
    super(403, 'unauthorized_client', `Grant type '${grantType}' not allowed for the client.`);
  }
}

/** A scope wider than the one granted, or one the API does not know. RFC 6749 §5.2 gives it 400. */
export class InvalidScope extends OAuthError {
  constructor(description: string) {
    super(400, 'invalid_scope', description);
  }
}

export class UnsupportedGrantType extends OAuthError {
  constructor(grantType: string) {
    super(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`);
  }
}

/** Refused by the user, or for an unknown API (`Service not found: <audience>`). */
export class AccessDenied extends OAuthError {
  constructor(description: string) {
    super(403, 'access_denied', description);
  }
}

export const serviceNotFound = (audience: string): AccessDenied => new AccessDenied(`Service not found: ${audience}`);

/** A missing, repeated or malformed parameter: `<field> must <constraint>`. */
export class InvalidRequest extends OAuthError {
  constructor(description: string) {
    super(400, 'invalid_request', description);
  }
}
