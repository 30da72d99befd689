import { describe, expect, it } from 'vitest';
import { OAuthError } from '../../../src/errors.js';
import {
  AccessDenied,
  BAD_CODE_VERIFIER,
  INVALID_REFRESH_TOKEN,
  InvalidClient,
  InvalidGrant,
  InvalidRequest,
  InvalidScope,
  UnauthorizedClient,
  UnsupportedGrantType,
  serviceNotFound,
} from '../../../src/authorization/errors.js';

describe("the token endpoint's errors carry Auth0's wire format", () => {
  it.each([
    [new InvalidGrant(), 403, 'invalid_grant', 'Invalid authorization code'],
    [new InvalidGrant(BAD_CODE_VERIFIER), 403, 'invalid_grant', 'Failed to verify code verifier'],
    [new InvalidGrant(INVALID_REFRESH_TOKEN), 403, 'invalid_grant', 'Unknown or invalid refresh token.'],
    [new InvalidClient(), 401, 'invalid_client', 'Client authentication failed'],
    [
      new UnauthorizedClient('client_credentials'),
      403,
      'unauthorized_client',
      "Grant type 'client_credentials' not allowed for the client.",
    ],
    [
      new InvalidScope('scope must be within the scope granted'),
      400,
      'invalid_scope',
      'scope must be within the scope granted',
    ],
    [new UnsupportedGrantType('password'), 400, 'unsupported_grant_type', 'Unsupported grant type: password'],
    [new AccessDenied('User declined'), 403, 'access_denied', 'User declined'],
    [serviceNotFound('https://api.example.com'), 403, 'access_denied', 'Service not found: https://api.example.com'],
    [new InvalidRequest('code_verifier must be given'), 400, 'invalid_request', 'code_verifier must be given'],
  ])('%s', (err, status, error, description) => {
    expect(err).toBeInstanceOf(OAuthError);
    expect(err.status).toBe(status);
    expect(err.toBody()).toEqual({ error, error_description: description });
  });
});
