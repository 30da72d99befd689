import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Low } from 'lowdb';
import { OAuthError, toWireError } from './errors.js';
import { readBody } from './http/body.js';
import { sendError } from './http/respond.js';

type Fallback = (req: IncomingMessage, res: ServerResponse) => void;

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * json-server's REST routes over dcr-mock's own lowdb instance, behind a guard: json-server answers a
 * malformed JSON body with a 500, and would let a PUT break the shape dcr-mock needs from db.json
 * (`meta`, a client without `client_id`). The guard reads the body once, refuses what would do harm
 * with a 4xx that says why, and hands the same bytes on to json-server.
 */
export function createJsonServerFallback<T>(db: Low<T>): Fallback {
  // Loaded on first use: start-up (spawn to first registration) does not pay for json-server's imports.
  let app: Promise<{ attach: Fallback }> | undefined;
  const attach = async (req: IncomingMessage, res: ServerResponse) => (await (app ??= loadApp(db))).attach(req, res);
  return (req, res) => {
    const handled = WITH_BODY.has(req.method ?? '')
      ? readBody(req).then((text) => {
          const problem = checkWrite(req.method ?? 'POST', req.url ?? '/', text);
          if (problem) return sendError(res, problem);
          replayBody(req, text);
          return attach(req, res);
        })
      : Promise.resolve(checkName(req.url ?? '/')).then((problem) => (problem ? sendError(res, problem) : attach(req, res)));
    handled.catch((err: unknown) => sendError(res, toWireError(err)));
  };
}

/**
 * json-server 1.0.0-beta.3 serves ./public through sirv and throws at import when NODE_ENV=production
 * and no ./public exists, so it is loaded with NODE_ENV set aside.
 */
async function loadApp<T>(db: Low<T>): Promise<{ attach: Fallback }> {
  const saved = process.env['NODE_ENV'];
  if (saved === 'production') process.env['NODE_ENV'] = 'development';
  try {
    const { createApp } = (await import('json-server/lib/app.js')) as unknown as {
      createApp: (db: Low<T>) => { attach: Fallback };
    };
    return createApp(db);
  } finally {
    if (saved === 'production') process.env['NODE_ENV'] = saved;
  }
}

function segments(url: string): string[] {
  return (url.split('?', 1)[0] ?? '/').split('/').filter((s) => s !== '');
}

function checkName(url: string): OAuthError | undefined {
  const [name] = segments(url);
  if (name !== undefined && FORBIDDEN_NAMES.has(safeDecode(name))) {
    return new OAuthError(400, 'invalid_request', `${name} is not a collection name`);
  }
  return undefined;
}

/** Why a write through json-server must be refused, or undefined. */
export function checkWrite(method: string, url: string, text: string): OAuthError | undefined {
  const badName = checkName(url);
  if (badName) return badName;
  let body: unknown = {};
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      return new OAuthError(400, 'invalid_request', 'request body must be valid JSON');
    }
  }
  if (method !== 'DELETE' && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    return new OAuthError(400, 'invalid_request', 'request body must be a JSON object');
  }
  const [name, rawId, ...rest] = segments(url);
  if (name === 'meta') {
    return new OAuthError(403, 'forbidden', 'meta is where dcr-mock counts registrations; use POST /__dcr/reset to rewind it');
  }
  if (name !== 'clients' || method === 'DELETE') return undefined;
  if (rawId === undefined || rest.length > 0) {
    return new OAuthError(405, 'method_not_allowed', 'register clients with POST /oidc/register');
  }
  const id = safeDecode(rawId);
  const fields = body as Record<string, unknown>;
  for (const key of ['id', 'client_id']) {
    const value = fields[key];
    if ((method === 'PUT' && key === 'client_id') || value !== undefined) {
      if (value !== id) return new OAuthError(400, 'invalid_request', `${key} must stay ${JSON.stringify(id)}`);
    }
  }
  return undefined;
}

/** Lets json-server's body parser read the bytes the guard already read. */
function replayBody(req: IncomingMessage, text: string): void {
  const bytes = Buffer.from(text);
  Object.defineProperty(req, Symbol.asyncIterator, {
    configurable: true,
    value: async function* () {
      if (bytes.length > 0) yield bytes;
    },
  });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
