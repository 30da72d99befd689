import { OAuthError } from './errors.js';

/** How deep a body written through json-server may nest: db.json and every list must still be written out. */
export const MAX_BODY_DEPTH = 32;

const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** Refuses a collection name that would reach the db's prototype. */
export function checkName(url: string): OAuthError | undefined {
  const [name] = segments(url);
  if (name !== undefined && FORBIDDEN_NAMES.has(safeDecode(name))) {
    return new OAuthError(400, 'invalid_request', `${name} is not a collection name`);
  }
  return undefined;
}

/** Why a write through json-server must be refused, or undefined. */
export function checkWrite(
  data: Record<string, unknown>,
  method: string,
  url: string,
  text: string,
): OAuthError | undefined {
  const [rawName = '', rawId, ...rest] = segments(url);
  const name = safeDecode(rawName);
  // Only collections (arrays in db.json): `meta` is dcr-mock's own count of registrations, and
  // `PUT /__proto__` would replace the db's prototype.
  if (!Object.hasOwn(data, name) || !Array.isArray(data[name])) {
    return new OAuthError(
      405,
      'invalid_request',
      `${JSON.stringify(name)} must be a collection (an array in db.json) to be written; meta is kept by dcr-mock`,
      { allow: 'GET' },
    );
  }
  let body: unknown = {};
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      return new OAuthError(400, 'invalid_request', 'request body must be valid JSON');
    }
  }
  if (method !== 'DELETE') {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return new OAuthError(400, 'invalid_request', 'request body must be a JSON object');
    }
    // JSON.parse takes any depth; JSON.stringify (db.json, GET /clients, the control plane) overflows the stack.
    if (nestsDeeperThan(body, MAX_BODY_DEPTH)) {
      return new OAuthError(
        400,
        'invalid_request',
        `request body must nest objects and arrays at most ${MAX_BODY_DEPTH} levels deep`,
      );
    }
  }
  if (name !== 'clients' || method === 'DELETE') return undefined;
  if (rawId === undefined || rest.length > 0) {
    return new OAuthError(405, 'invalid_request', 'register clients with POST /oidc/register', { allow: 'GET' });
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

/** Level by level, not by recursion: the value may nest thousands deep. */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; ; depth++) {
    const containers = level.filter((v): v is object => typeof v === 'object' && v !== null);
    if (containers.length === 0) return false;
    if (depth === limit) return true;
    level = containers.flatMap((v) => Object.values(v));
  }
}

export function segments(url: string): string[] {
  return (url.split('?', 1)[0] ?? '/').split('/').filter((s) => s !== '');
}

export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
