import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { toWireError } from '../errors.js';
import { type Answer, jsonAnswer } from './answer.js';
import { noteSent } from './sent.js';

export { NO_STORE } from './answer.js';

/**
 * The one writer: every answer dcr-mock gives itself (successes, OAuth errors, injected failures,
 * limit refusals) is an Answer written here, CORS's headers first, in one writeHead call.
 */
export function writeAnswer(res: ServerResponse, answer: Answer, extra?: Readonly<Record<string, string>>): void {
  const { body } = answer;
  const head = headOf(res, answer.headers);
  if (extra) Object.assign(head, extra);
  head['content-length'] = Buffer.byteLength(body);
  // The text, not a copy as bytes: Node writes a text body with the head in one piece (bench/NOTES.md).
  noteSent(res, head, body);
  res.writeHead(answer.status, head);
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  writeAnswer(res, jsonAnswer(status, body, headers));
}

/** Anything thrown, as its wire error; once the head is out, there is nothing left to say but to cut. */
export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  writeAnswer(res, toWireError(err).toAnswer());
}

/** Writes the status line and the headers, CORS's included, for answers that stream their body (or have none). */
export function writeHead(res: ServerResponse, status: number, headers: Readonly<OutgoingHttpHeaders> = {}): void {
  const head = headOf(res, headers);
  noteSent(res, head);
  res.writeHead(status, head);
}

/** CORS's headers, then `headers` (Object.assign: see bench/NOTES.md). */
function headOf(res: ServerResponse, headers: Readonly<OutgoingHttpHeaders>): OutgoingHttpHeaders {
  return Object.assign(corsHeaders(res.req), headers);
}

const ALLOWED_HEADERS = 'content-type, authorization, x-dcr-mock-fail';
const EXPOSED_HEADERS =
  'retry-after, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, www-authenticate, location, x-dcr-mock-failure';

/** Requests the origin policy refused: their answers carry no CORS header, so the page cannot read them. */
const WITHHELD = new WeakSet<IncomingMessage>();

export function withholdCors(req: IncomingMessage): void {
  WITHHELD.add(req);
}

/**
 * CORS for every route: browser and MCP clients call the mock directly. The guarded routes (app.ts)
 * refuse other origins before they answer, so what they echo is an origin they allow.
 */
function corsHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  if (WITHHELD.has(req)) return { vary: 'origin' };
  return {
    'access-control-allow-origin': req.headers.origin ?? '*',
    vary: 'origin',
    'access-control-expose-headers': EXPOSED_HEADERS,
  };
}

/** CORS for answers that others write (json-server's), set ahead of them. */
export function setCors(req: IncomingMessage, res: ServerResponse): void {
  for (const [name, value] of Object.entries(corsHeaders(req))) res.setHeader(name, value!);
}

export function sendPreflight(req: IncomingMessage, res: ServerResponse): void {
  const headers: Record<string, string> = {
    'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    'access-control-allow-headers': req.headers['access-control-request-headers'] ?? ALLOWED_HEADERS,
    'access-control-max-age': '600',
    'content-length': '0',
  };
  if (req.headers['access-control-request-private-network'] === 'true') {
    headers['access-control-allow-private-network'] = 'true';
  }
  writeHead(res, 204, headers);
  res.end();
}
