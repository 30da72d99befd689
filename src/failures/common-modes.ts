import { OAuthError, RateLimited, rateLimitHeaders } from '../errors.js';
import { type Answer, htmlAnswer } from '../http/answer.js';
import type { ModeSpec } from './catalogue-types.js';

/** Appended to what an injected error says, so nobody mistakes it for a real one. */
export const NOTE = '(failure injected by dcr-mock)';

/** The limit an injected 429 announces: Auth0's, 5 a second, burst 5. */
const AUTH0_BURST = 5;

export const injected = (err: OAuthError) => () => {
  const { status, error, description, headers } = err;
  return new OAuthError(status, error, `${description} ${NOTE}`, headers).toAnswer();
};

const proxyPage = (status: number, title: string): Answer =>
  htmlAnswer(
    status,
    `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
  );

/** The modes every endpoint takes. */
export const COMMON_MODES = {
  rate_limited: {
    group: 'Auth0',
    kind: 'http',
    summary: '429 with X-RateLimit-* and Retry-After',
    answer: ({ retryAfter = 1, now }) =>
      new RateLimited(
        `Global limit has been reached ${NOTE}`,
        rateLimitHeaders(AUTH0_BURST, 0, Math.ceil(now / 1000) + retryAfter, retryAfter),
      ).toAnswer(),
  },
  server_error: {
    group: 'server',
    kind: 'http',
    summary: '500 JSON',
    answer: injected(new OAuthError(500, 'server_error', 'the server met an unexpected condition')),
  },
  bad_gateway: {
    group: 'server',
    kind: 'http',
    summary: '502 HTML page, as a proxy sends',
    answer: () => proxyPage(502, 'Bad Gateway'),
  },
  service_unavailable: {
    group: 'server',
    kind: 'http',
    summary: '503 with Retry-After',
    answer: ({ retryAfter = 1 }) =>
      injected(
        new OAuthError(503, 'temporarily_unavailable', 'the service is temporarily unavailable', {
          'retry-after': String(retryAfter),
        }),
      )(),
  },
  gateway_timeout: {
    group: 'server',
    kind: 'http',
    summary: '504 HTML page, as a proxy sends',
    answer: () => proxyPage(504, 'Gateway Time-out'),
  },
  malformed_json: {
    group: 'bad success',
    kind: 'bad-success',
    summary: 'the success answer with its JSON body cut off',
    spoil: (success) => ({ ...success, body: success.body.slice(0, Math.floor(success.body.length / 2)) }),
  },
  delay: { group: 'network', kind: 'delay', summary: 'answer held back ms (or MIN-MAX); adds to any other mode' },
  timeout: {
    group: 'network',
    kind: 'network',
    summary: 'never answers; the socket is held until the client gives up (capped at ms)',
  },
  reset: { group: 'network', kind: 'network', summary: 'TCP reset: the client sees ECONNRESET' },
  empty_response: { group: 'network', kind: 'network', summary: 'socket closed without a byte' },
  truncated: { group: 'network', kind: 'network', summary: 'headers and half the body, then closed' },
  slow_body: { group: 'network', kind: 'network', summary: 'body dribbled over ms' },
} as const satisfies Record<string, ModeSpec>;
