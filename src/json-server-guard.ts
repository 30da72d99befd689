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

/**
 * The work json-server's GET routes may do for one request, in units of about one item read by a short
 * property path (0.2 µs on a busy 2-core machine): this budget keeps each answer well under a second.
 * Measured with bench/json-server-queries.js.
 */
export const WORK_BUDGET = 2_000_000;
/** One sort comparison, besides its property reads: sort-on's allocations and a localeCompare. */
const COMPARE = 4;
/** inflection.singularize, which json-server calls once per item for each `_embed` value. */
const INFLECT = 16;
/** Items of the embedded collection that json-server compares by id, per unit. */
const SCANNED_PER_UNIT = 16;
/** Characters of a property path dot-prop parses again at each read, per unit. */
const PATH_CHARS_PER_UNIT = 16;

const PAGING = ['_start', '_end', '_limit', '_page', '_per_page'];
const NOT_FILTERS = new Set(['_embed', '_sort', ...PAGING]);
const OPERATOR = /_(lt|lte|gt|gte|ne)$/;
const PATH_RULE = 'must be a property path such as a.b or a[0]';

/**
 * Why a GET through json-server must be refused, or undefined: a property path that its dot-prop
 * cannot read (a 500 there), refused whatever the data (json-server reads one only while items are
 * left to filter or sort); or a query that would hold the event loop, reckoned as json-server
 * 1.0.0-beta.3's Service.find and findById do it: embed, then filter, then sort the whole collection.
 */
export function checkQuery(data: Record<string, unknown>, url: string): OAuthError | undefined {
  const q = url.indexOf('?');
  // tinyhttp's routes: /:name and /:name/:id, with an optional trailing slash.
  const route = /^\/([^/]+?)(?:\/([^/]+?))?\/?$/.exec(q === -1 ? url : url.slice(0, q));
  if (!route) return undefined;
  const name = safeDecode(route[1]!);
  const items = Object.hasOwn(data, name) ? data[name] : undefined;
  if (!Array.isArray(items)) return undefined;
  const query = parseQuery(q === -1 ? '' : url.slice(q + 1));
  const largest = Math.max(0, ...Object.values(data).map((v) => (Array.isArray(v) ? v.length : 0)));
  // Each _embed value: singularize, then a walk of the embedded collection, which may be any of them.
  const embeds = [query['_embed'] ?? []].flat();
  const embedWork = INFLECT + largest / SCANNED_PER_UNIT;
  if (route[2] !== undefined) return overBudget(embeds.length * embedWork, largest, '_embed');

  const n = items.length;
  const parts: Array<[string, number]> = [];
  let filters = 0;
  let filterWork = 0;
  for (const [key, value] of Object.entries(query)) {
    if (typeof value !== 'string') continue;
    const field = OPERATOR.test(key) ? key.replace(OPERATOR, '') : key;
    if (field === key && NOT_FILTERS.has(key)) continue;
    // json-server skips a filter with an empty value.
    if (value === '') continue;
    if (!isPropertyPath(field)) return new OAuthError(400, 'invalid_request', `query parameter "${key}" ${PATH_RULE}`);
    filters++;
    filterWork += n * readWork(field);
  }
  const sort = query['_sort'];
  const fields = typeof sort === 'string' && sort !== '' ? sort.split(',') : [''];
  for (const field of fields) {
    const path = field.startsWith('-') ? field.slice(1) : field;
    if (!isPropertyPath(path)) return new OAuthError(400, 'invalid_request', `_sort field "${field}" ${PATH_RULE}`);
  }
  // Unsorted, every key reads as undefined: the sort meets one sorted run, n comparisons.
  const comparisons = fields.length === 1 && fields[0] === '' ? n : n * Math.ceil(Math.log2(Math.max(n, 2)));
  const sortWork = comparisons * (COMPARE + 2 * fields.reduce((sum, f) => sum + readWork(f), 0));
  const embedded = new Map<string, number>();
  for (const value of embeds) embedded.set(value, (embedded.get(value) ?? 0) + n * embedWork);
  for (const [value, work] of embedded) parts.push([`_embed=${value}`, work]);
  parts.push([`${filters} filter${filters === 1 ? '' : 's'}`, filterWork], ['_sort', sortWork]);
  const total = parts.reduce((sum, [, work]) => sum + work, 0);
  const [biggest] = parts.sort((a, b) => b[1] - a[1]);
  return overBudget(total, n, biggest![0]);
}

function overBudget(work: number, n: number, part: string): OAuthError | undefined {
  if (work <= WORK_BUDGET) return undefined;
  return new OAuthError(
    400,
    'invalid_request',
    `query must ask json-server for at most ${WORK_BUDGET} units of work; this one asks for ` +
      `${Math.round(work)}, most of it for ${part} over ${n} items. Page with _page and _per_page alone, ` +
      'or use fewer _sort fields, _embed values and filters',
  );
}

const readWork = (path: string): number => 1 + Math.floor(path.length / PATH_CHARS_PER_UNIT);

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
