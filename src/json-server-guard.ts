import { parse as parseQuery } from 'node:querystring';
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

const NOT_FILTERS = new Set(['_embed', '_sort', '_start', '_end', '_limit', '_page', '_per_page']);
const OPERATOR = /_(lt|lte|gt|gte|ne)$/;
const PATH_RULE = 'must be a property path such as a.b or a[0]';

/**
 * Why a GET through json-server must be refused, or undefined: a property path that its dot-prop
 * cannot read (a 500 there), for a filter or a _sort field, read as json-server 1.0.0-beta.3's
 * Service.find reads them. Refused whatever the data: json-server reads one only while items are
 * left to filter or sort.
 */
export function checkQuery(data: Record<string, unknown>, url: string): OAuthError | undefined {
  const q = url.indexOf('?');
  // tinyhttp's routes: /:name and /:name/:id, with an optional trailing slash; only lists are filtered.
  const route = /^\/([^/]+?)\/?$/.exec(q === -1 ? url : url.slice(0, q));
  if (!route) return undefined;
  const name = safeDecode(route[1]!);
  if (!Object.hasOwn(data, name) || !Array.isArray(data[name])) return undefined;
  const query = parseQuery(q === -1 ? '' : url.slice(q + 1));
  for (const [key, value] of Object.entries(query)) {
    if (typeof value !== 'string') continue;
    const field = OPERATOR.test(key) ? key.replace(OPERATOR, '') : key;
    if (field === key && NOT_FILTERS.has(key)) continue;
    // json-server skips a filter with an empty value.
    if (value === '') continue;
    if (!isPropertyPath(field)) return new OAuthError(400, 'invalid_request', `query parameter "${key}" ${PATH_RULE}`);
  }
  const sort = query['_sort'];
  const fields = typeof sort === 'string' && sort !== '' ? sort.split(',') : [];
  for (const field of fields) {
    const path = field.startsWith('-') ? field.slice(1) : field;
    if (!isPropertyPath(path)) return new OAuthError(400, 'invalid_request', `_sort field "${field}" ${PATH_RULE}`);
  }
  return undefined;
}

const DISALLOWED_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Whether dot-prop 9 (json-server's property paths, for filters and _sort) reads `path` without
 * throwing: its parser, step by step, less what it builds. A disallowed key ends the parse early.
 */
export function isPropertyPath(path: string): boolean {
  let part: 'start' | 'property' | 'index' | 'indexEnd' = 'start';
  let segment = '';
  let ignoring = false;
  for (const ch of path) {
    if (ch === '\\') {
      if (part === 'index' || part === 'indexEnd') return false;
      if (ignoring) segment += ch;
      part = 'property';
      ignoring = !ignoring;
    } else if (ch === '.') {
      if (part === 'index') return false;
      if (part === 'indexEnd') {
        part = 'property';
      } else if (ignoring) {
        ignoring = false;
        segment += ch;
      } else {
        if (DISALLOWED_KEYS.has(segment)) return true;
        segment = '';
        part = 'property';
      }
    } else if (ch === '[') {
      if (part === 'index') return false;
      if (part === 'indexEnd') {
        part = 'index';
      } else if (ignoring) {
        ignoring = false;
        segment += ch;
      } else {
        if (part === 'property') {
          if (DISALLOWED_KEYS.has(segment)) return true;
          segment = '';
        }
        part = 'index';
      }
    } else if (ch === ']' && part === 'index') {
      segment = '';
      part = 'indexEnd';
    } else {
      if (part === 'index' && (ch < '0' || ch > '9')) return false;
      if (part === 'indexEnd') return false;
      if (part === 'start') part = 'property';
      if (ignoring) {
        ignoring = false;
        segment += '\\';
      }
      segment += ch;
    }
  }
  return part !== 'index';
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
