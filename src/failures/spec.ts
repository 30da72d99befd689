import { CATALOGUE, type Catalogue, DEFAULT_ENDPOINT, type Mode } from './catalogue.js';
import { compilePattern } from './pattern.js';
import { parseMsRange } from '../ms-range.js';
import { show } from '../show.js';
import { didYouMean } from '../suggest.js';

/** A failure rule as a user writes it (CLI, config, header, query, control plane, API). */
export interface FailureRuleInput {
  /** The endpoint it applies to: `registration` (the default), or another endpoint's name. */
  endpoint?: string;
  mode: Mode | (string & {});
  times?: number;
  after?: number;
  rate?: number;
  /** Conditions on the request: `header` (`NAME:PATTERN`) everywhere, and the endpoint's own keys (registration: `client_name`, `redirect_uri`). */
  match?: { client_name?: string; redirect_uri?: string; header?: string; [key: string]: string | undefined };
  ms?: number | string;
  status?: number;
  retry_after?: number;
}

/** A validated rule. `ms` is a [min, max] range (equal for a fixed value). */
export interface FailureRule {
  readonly endpoint: string;
  readonly mode: string;
  readonly times?: number;
  readonly after?: number;
  readonly rate?: number;
  readonly match?: Readonly<Record<string, string>>;
  readonly ms?: readonly [number, number];
  readonly status?: number;
  readonly retry_after?: number;
}

export class FailSpecError extends Error {
  /** `modes`: the valid modes the message lists; none for a refusal that is not about the mode (a bound). */
  constructor(why: string, modes: readonly string[] = CATALOGUE.modeNames(DEFAULT_ENDPOINT)) {
    super(modes.length > 0 ? `${why}. Valid modes: ${modes.join(', ')}` : why);
    this.name = 'FailSpecError';
  }
}

export const MAX_MS = 300_000;
const MS_MODES: readonly string[] = ['delay', 'timeout', 'slow_body'];
/** The modes whose answer carries Retry-After. */
const RETRY_AFTER_MODES: readonly string[] = ['rate_limited', 'service_unavailable'];
const RULE_KEYS = ['endpoint', 'mode', 'times', 'after', 'rate', 'match', 'ms', 'status', 'retry_after'];
const VALUE_KEYS = ['times', 'after', 'rate', 'ms', 'status', 'retry_after'];

/** The match keys of an endpoint: its own, then `header`. */
const matchKeysOf = (catalogue: Catalogue, endpoint: string): string[] => [
  ...(catalogue.endpoint(endpoint)?.matchKeys ?? []),
  'header',
];

/**
 * Parses `[ENDPOINT:]MODE[:key=value,...]`, several separated by `;`, e.g. `rate_limited:times=2`,
 * `server_error:rate=0.25,client_name=/^ci-/`, `token:invalid_grant:times=1`. Match keys sit beside the
 * others. Without an endpoint, a rule is for registration.
 */
export function parseFailSpec(text: string, catalogue: Catalogue = CATALOGUE): FailureRule[] {
  const specs = text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (specs.length === 0) throw new FailSpecError('a failure spec must name a mode, e.g. rate_limited:times=2');
  return specs.map((spec) => parseOne(spec, catalogue));
}

function parseOne(spec: string, catalogue: Catalogue): FailureRule {
  let rest = spec;
  let endpoint: string | undefined;
  const first = head(rest);
  // A first part that names an endpoint and no mode of the default endpoint is the endpoint.
  if (first.rest !== undefined && catalogue.endpoint(first.part) && !catalogue.mode(DEFAULT_ENDPOINT, first.part)) {
    endpoint = first.part;
    rest = first.rest;
  }
  const { part: mode, rest: params = '' } = head(rest);
  // Said before any key=value is read: `tokn:invalid_grant` is a misspelt endpoint, not a bad key.
  if (!catalogue.mode(endpoint ?? DEFAULT_ENDPOINT, mode)) toFailureRule({ mode, endpoint }, spec, catalogue);
  const input: Record<string, unknown> = { mode };
  if (endpoint !== undefined) input['endpoint'] = endpoint;
  const matchKeys = matchKeysOf(catalogue, endpoint ?? DEFAULT_ENDPOINT);
  const specKeys = [...VALUE_KEYS, ...matchKeys];
  const match: Record<string, string> = {};
  // Split on commas that start a new key=value, so a regex such as /a{1,3}/ keeps its comma.
  for (const pair of params.split(/,(?=\s*[a-z_]+\s*=)/)) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const key = (eq === -1 ? pair : pair.slice(0, eq)).trim();
    if (eq === -1 || !specKeys.includes(key)) {
      throw new FailSpecError(
        `"${pair.trim()}" in "${spec}" must be key=value with key one of ${specKeys.join(', ')}${didYouMean(key, specKeys)}`,
        catalogue.modeNames(endpoint ?? DEFAULT_ENDPOINT),
      );
    }
    const value = pair.slice(eq + 1).trim();
    if (matchKeys.includes(key)) match[key] = value;
    else input[key] = key === 'ms' ? value : Number.isNaN(Number(value)) || value === '' ? value : Number(value);
  }
  if (Object.keys(match).length > 0) input['match'] = match;
  return toFailureRule(input, spec, catalogue);
}

/** The text before the first ":" (trimmed), and what follows it, if there is a ":". */
function head(text: string): { part: string; rest: string | undefined } {
  const colon = text.indexOf(':');
  return colon === -1
    ? { part: text.trim(), rest: undefined }
    : { part: text.slice(0, colon).trim(), rest: text.slice(colon + 1) };
}

/** Validates a rule from JSON (or a parsed spec). `where` names it in messages. */
export function toFailureRule(input: unknown, where = 'the rule', catalogue: Catalogue = CATALOGUE): FailureRule {
  if (typeof input === 'string') {
    const rules = parseFailSpec(input, catalogue);
    if (rules.length !== 1) throw new FailSpecError(`${where} must hold one rule, not ${rules.length}`);
    return rules[0]!;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FailSpecError(`${where} must be a spec string such as "rate_limited:times=2" or an object with a mode`);
  }
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!RULE_KEYS.includes(key))
      throw new FailSpecError(
        `"${key}" in ${where} is not a rule key (${RULE_KEYS.join(', ')})${didYouMean(key, RULE_KEYS)}`,
      );
  }
  const endpoint = raw['endpoint'] ?? DEFAULT_ENDPOINT;
  if (typeof endpoint !== 'string' || !catalogue.endpoint(endpoint)) {
    throw new FailSpecError(
      `${where}: endpoint must be one of ${catalogue.endpointNames.join(', ')}, got ${show(raw['endpoint'])}`,
    );
  }
  const modes = catalogue.modeNames(endpoint);
  const fail = (why: string) => new FailSpecError(why, modes);
  const mode = raw['mode'];
  const spec = typeof mode === 'string' ? catalogue.mode(endpoint, mode) : undefined;
  if (typeof mode !== 'string' || !spec) {
    const at = endpoint === DEFAULT_ENDPOINT ? '' : ` for ${endpoint}`;
    const hint = typeof mode === 'string' ? didYouMean(mode, modes) : '';
    throw fail(`${where}: unknown mode ${JSON.stringify(mode ?? null)}${at}${hint}`);
  }
  const rule: { -readonly [K in keyof FailureRule]: FailureRule[K] } = { endpoint, mode };
  const count = (key: 'times' | 'after', min: number) => {
    const v = raw[key];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      throw fail(`${where}: ${key} must be a whole number >= ${min}, got ${show(v)}`);
    }
    rule[key] = v;
  };
  count('times', 1);
  count('after', 0);
  if (raw['rate'] !== undefined) {
    const v = raw['rate'];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1))
      throw fail(`${where}: rate must be a number from 0 to 1, got ${show(v)}`);
    rule.rate = v;
  }
  if (raw['ms'] !== undefined) {
    if (!MS_MODES.includes(mode)) throw fail(`${where}: ms applies only to ${MS_MODES.join(', ')}, not ${mode}`);
    rule.ms = parseMs(raw['ms'], where);
  } else if (mode === 'delay') {
    throw fail(`${where}: delay needs ms, e.g. delay:ms=300 or delay:ms=100-500`);
  }
  const httpOnly = (key: 'status' | 'retry_after', min: number, max: number) => {
    const v = raw[key];
    if (v === undefined) return;
    if (spec.kind !== 'http') throw fail(`${where}: ${key} applies only to HTTP error modes, not ${mode}`);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw fail(`${where}: ${key} must be a whole number from ${min} to ${max}, got ${show(v)}`);
    }
    rule[key] = v;
  };
  httpOnly('status', 400, 599);
  if (raw['retry_after'] !== undefined && !RETRY_AFTER_MODES.includes(mode)) {
    throw fail(`${where}: retry_after applies only to ${RETRY_AFTER_MODES.join(', ')}, not ${mode}`);
  }
  httpOnly('retry_after', 0, 86_400);
  if (raw['match'] !== undefined) rule.match = toMatch(raw['match'], where, matchKeysOf(catalogue, endpoint), modes);
  return Object.freeze(rule);
}

function parseMs(v: unknown, where: string): [number, number] {
  const range = parseMsRange(v, MAX_MS);
  if (!range) {
    throw new FailSpecError(
      `${where}: ms must be milliseconds (0 to ${MAX_MS}) or MIN-MAX such as 100-500, got ${show(v)}`,
    );
  }
  return range;
}

function toMatch(
  v: unknown,
  where: string,
  keys: readonly string[],
  modes: readonly string[],
): NonNullable<FailureRule['match']> {
  const fail = (why: string) => new FailSpecError(why, modes);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw fail(`${where}: match must be an object with ${keys.slice(0, -1).join(', ')} or ${keys.at(-1)}`);
  }
  const match: Record<string, string> = {};
  for (const [key, value] of Object.entries(v)) {
    if (!keys.includes(key))
      throw fail(`${where}: match.${key} is not one of ${keys.join(', ')}${didYouMean(key, keys)}`);
    if (typeof value !== 'string' || value === '') throw fail(`${where}: match.${key} must be a non-empty string`);
    const pattern = key === 'header' ? headerPattern(value, where) : value;
    const compiled = compilePattern(pattern);
    if (typeof compiled === 'string') throw fail(`${where}: match.${key} ${compiled}`);
    match[key] = value;
  }
  return Object.freeze(match);
}

/** `name:pattern` → the pattern, after checking the name. */
export function headerPattern(value: string, where = 'the rule'): string {
  const colon = value.indexOf(':');
  const name = colon === -1 ? '' : value.slice(0, colon).trim();
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) {
    throw new FailSpecError(
      `${where}: match.header must be NAME:PATTERN such as x-test-case:retry, got ${show(value)}`,
    );
  }
  return value.slice(colon + 1).trim();
}

/** A rule as a spec a user could give back to `--fail`: `rate_limited:times=2`, `token:invalid_grant:after=1`. */
export function ruleSpec(rule: FailureRule): string {
  const params: string[] = [];
  for (const key of ['times', 'after', 'rate'] as const)
    if (rule[key] !== undefined) params.push(`${key}=${rule[key]}`);
  for (const [key, value] of Object.entries(rule.match ?? {})) params.push(`${key}=${value}`);
  if (rule.ms) params.push(`ms=${rule.ms[0] === rule.ms[1] ? rule.ms[0] : `${rule.ms[0]}-${rule.ms[1]}`}`);
  for (const key of ['status', 'retry_after'] as const) if (rule[key] !== undefined) params.push(`${key}=${rule[key]}`);
  const head = rule.endpoint === DEFAULT_ENDPOINT ? rule.mode : `${rule.endpoint}:${rule.mode}`;
  return params.length === 0 ? head : `${head}:${params.join(',')}`;
}
