import { discoverAuthorizationServerMetadata, registerClient } from '@modelcontextprotocol/sdk/client/auth.js';
import {
  InvalidClientMetadataError,
  InvalidTokenError,
  ServerError,
  TooManyRequestsError,
} from '@modelcontextprotocol/sdk/server/auth/errors.js';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DcrMock, startDcrMock } from '../../src/index.js';
import { METADATA } from '../support/wire.js';

// What real OAuth client libraries make of each failure: the error a user's code would catch.
describe('failure modes through real clients', () => {
  let mock: DcrMock;
  beforeAll(async () => {
    mock = await startDcrMock({ port: 0, db: ':memory:', seed: 'failure-clients' });
  });
  afterAll(() => mock.close());
  beforeEach(async () => {
    await mock.reset();
  });

  /** Runs `attempt` with `spec` applied to its registration, returns what it threw, and checks nothing was stored. */
  async function thrownUnder(spec: string, attempt: () => Promise<unknown>): Promise<unknown> {
    mock.fail(`${spec}${spec.includes(':') ? ',' : ':'}times=1`);
    const outcome = await attempt().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    expect(outcome, `${spec} was accepted`).toHaveProperty('error');
    expect(mock.clients()).toEqual([]);
    expect(mock.requests()[0]?.failure).toBe(spec.split(':')[0]);
    return (outcome as { error: unknown }).error;
  }

  describe('oauth4webapi', () => {
    const as = () => ({ issuer: mock.issuer, registration_endpoint: mock.registrationEndpoint });
    const registerWith4 = async () => {
      const res = await oauth.dynamicClientRegistrationRequest(as(), METADATA, { [oauth.allowInsecureRequests]: true });
      return oauth.processDynamicClientRegistrationResponse(res);
    };

    it('registers when nothing fails (the baseline)', async () => {
      expect(await registerWith4()).toMatchObject({ client_id: expect.stringMatching(/^tpc_/) });
    });

    it('400 invalid_redirect_uri → ResponseBodyError with the OAuth error', async () => {
      const err = await thrownUnder('invalid_redirect_uri', registerWith4);
      expect(err).toBeInstanceOf(oauth.ResponseBodyError);
      expect(err).toMatchObject({
        status: 400,
        error: 'invalid_redirect_uri',
        error_description: expect.stringMatching(/^redirect_uris must/),
      });
    });

    it('429 rate_limited → ResponseBodyError whose response carries Retry-After', async () => {
      const err = (await thrownUnder('rate_limited:retry_after=7', registerWith4)) as oauth.ResponseBodyError;
      expect(err).toBeInstanceOf(oauth.ResponseBodyError);
      expect(err).toMatchObject({ status: 429, error: 'too_many_requests', code: oauth.RESPONSE_BODY_ERROR });
      expect(err.response.headers.get('retry-after')).toBe('7');
      expect(err.response.headers.get('x-ratelimit-remaining')).toBe('0');
    });

    it('401 invalid_token → WWWAuthenticateChallengeError with the Bearer challenge', async () => {
      const err = await thrownUnder('invalid_token', registerWith4);
      expect(err).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
      expect(err).toMatchObject({
        status: 401,
        code: oauth.WWW_AUTHENTICATE_CHALLENGE,
        cause: [{ scheme: 'bearer', parameters: expect.objectContaining({ error: 'invalid_token' }) }],
      });
    });

    it.each([
      ['status_200', oauth.RESPONSE_IS_NOT_CONFORM, /unexpected HTTP status code/],
      ['malformed_json', oauth.PARSE_ERROR, /failed to parse "response" body as JSON/],
      ['missing_client_id', oauth.INVALID_RESPONSE, /"response" body "client_id" property/],
      ['server_error', oauth.RESPONSE_IS_NOT_CONFORM, /unexpected HTTP status code/],
    ])('%s → OperationProcessingError %s', async (spec, code, message) => {
      const err = await thrownUnder(spec, registerWith4);
      expect(err).toBeInstanceOf(oauth.OperationProcessingError);
      expect(err).toMatchObject({ code, message: expect.stringMatching(message) });
    });
  });

  describe('openid-client', () => {
    const registerWithOpenid = () =>
      client.dynamicClientRegistration(new URL(mock.issuer), METADATA, undefined, {
        execute: [client.allowInsecureRequests],
      });

    it('registers when nothing fails (the baseline)', async () => {
      const config = await registerWithOpenid();
      expect(config.clientMetadata().client_id).toMatch(/^tpc_/);
    });

    it.each([
      ['status_200', oauth.RESPONSE_IS_NOT_CONFORM, /unexpected HTTP response status code/],
      ['malformed_json', oauth.PARSE_ERROR, /parsing error/],
      ['missing_client_id', oauth.INVALID_RESPONSE, /invalid response/],
    ])('%s → ClientError %s', async (spec, code, message) => {
      const err = await thrownUnder(spec, registerWithOpenid);
      expect(err).toBeInstanceOf(client.ClientError);
      expect(err).toMatchObject({ code, message: expect.stringMatching(message) });
    });

    it('400 invalid_client_metadata → ResponseBodyError, passed through', async () => {
      const err = await thrownUnder('invalid_client_metadata', registerWithOpenid);
      expect(err).toBeInstanceOf(client.ResponseBodyError);
      expect(err).toMatchObject({ status: 400, error: 'invalid_client_metadata' });
    });
  });

  describe('@modelcontextprotocol/sdk', () => {
    const registerWithMcp = async () => {
      const metadata = await discoverAuthorizationServerMetadata(mock.issuer);
      return registerClient(mock.issuer, { metadata: metadata!, clientMetadata: METADATA });
    };

    it('registers when nothing fails (the baseline)', async () => {
      expect(await registerWithMcp()).toMatchObject({ client_id: expect.stringMatching(/^tpc_/) });
    });

    it.each([
      ['invalid_client_metadata', InvalidClientMetadataError, 'invalid_client_metadata', /^client metadata must/],
      ['rate_limited', TooManyRequestsError, 'too_many_requests', /Global limit has been reached/],
      ['invalid_token', InvalidTokenError, 'invalid_token', /the access token must be valid/],
      ['server_error', ServerError, 'server_error', /unexpected condition/],
      // Codes the SDK has no class for arrive as ServerError, the description as the message.
      ['invalid_redirect_uri', ServerError, 'server_error', /^redirect_uris must/],
      ['bad_gateway', ServerError, 'server_error', /^HTTP 502: Invalid OAuth error response/],
    ])('%s → %o', async (spec, errorClass, errorCode, message) => {
      const err = await thrownUnder(spec, registerWithMcp);
      expect(err).toBeInstanceOf(errorClass);
      expect(err).toMatchObject({ errorCode, message: expect.stringMatching(message) });
    });

    it('missing_client_id fails the response schema on client_id', async () => {
      const err = await thrownUnder('missing_client_id', registerWithMcp);
      expect(err).toMatchObject({ name: 'ZodError' });
      expect(JSON.stringify((err as { issues: unknown }).issues)).toContain('"client_id"');
    });

    it('malformed_json fails to parse', async () => {
      expect(await thrownUnder('malformed_json', registerWithMcp)).toBeInstanceOf(SyntaxError);
    });
  });
});
