import { MODES, MODE_NAMES, type Mode, isMode } from './catalogue.js';
import { compilePattern } from './pattern.js';
import { parseMsRange } from '../ms-range.js';
import { show } from '../show.js';

/** A failure rule as a user writes it (CLI, config, header, query, control plane, API). */
export interface FailureRuleInput {
  mode: Mode;
  times?: number;
  after?: number;
  rate?: number;
  match?: { client_name?: string; redirect_uri?: string; header?: string };
  ms?: number | string;
  status?: number;
  retry_after?: number;
}

/** A validated rule. `ms` is a [min, max] range (equal for a fixed value). */
export interface FailureRule {
  readonly mode: Mode;
  readonly times?: number;
  readonly after?: number;
  readonly rate?: number;
  readonly match?: { readonly client_name?: string; readonly redirect_uri?: string; readonly header?: string };
  readonly ms?: readonly [number, number];
  readonly status?: number;
  readonly retry_after?: number;
}

export class FailSpecError extends Error {
  constructor(why: string) {
    super(`${why}. Valid modes: ${MODE_NAMES.join(', ')}`);
    this.name = 'FailSpecError';
  }
}

export const MAX_MS = 300_000;
const MS_MODES: readonly Mode[] = ['delay', 'timeout', 'slow_body'];
/** The modes whose answer carries Retry-After. */
const RETRY_AFTER_MODES: readonly Mode[] = ['rate_limited', 'service_unavailable'];
const RULE_KEYS = ['mode', 'times', 'after', 'rate', 'match', 'ms', 'status', 'retry_after'];
const MATCH_KEYS = ['client_name', 'redirect_uri', 'header'];
const SPEC_KEYS = [...RULE_KEYS.filter((k) => k !== 'mode' && k !== 'match'), ...MATCH_KEYS];

/**
 * Parses `MODE[:key=value,...]`, several separated by `;`, e.g. `rate_limited:times=2`,
 * `server_error:rate=0.25,client_name=/^ci-/`. Match keys sit beside the others.
 */
export function parseFailSpec(text: string): FailureRule[] {
  const specs = text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (specs.length === 0) throw new FailSpecError('a failure spec must name a mode, e.g. rate_limited:times=2');
  return specs.map(parseOne);
}

function parseOne(spec: string): FailureRule {
  const colon = spec.indexOf(':');
  const mode = (colon === -1 ? spec : spec.slice(0, colon)).trim();
  const rest = colon === -1 ? '' : spec.slice(colon + 1);
  const input: Record<string, unknown> = { mode };
  const match: Record<string, string> = {};
  // Split on commas that start a new key=value, so a regex such as /a{1,3}/ keeps its comma.
  for (const pair of rest.split(/,(?=\s*[a-z_]+\s*=)/)) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const key = (eq === -1 ? pair : pair.slice(0, eq)).trim();
    if (eq === -1 || !SPEC_KEYS.includes(key)) {
      throw new FailSpecError(
        `"${pair.trim()}" in "${spec}" must be key=value with key one of ${SPEC_KEYS.join(', ')}`,
      );
    }
    const value = pair.slice(eq + 1).trim();
    if (MATCH_KEYS.includes(key)) match[key] = value;
    else input[key] = key === 'ms' ? value : Number.isNaN(Number(value)) || value === '' ? value : Number(value);
  }
  if (Object.keys(match).length > 0) input['match'] = match;
  return toFailureRule(input, spec);
}

/** Validates a rule from JSON (or a parsed spec). `where` names it in messages. */
export function toFailureRule(input: unknown, where = 'the rule'): FailureRule {
  if (typeof input === 'string') {
    const rules = parseFailSpec(input);
    if (rules.length !== 1) throw new FailSpecError(`${where} must hold one rule, not ${rules.length}`);
    return rules[0]!;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FailSpecError(`${where} must be a spec string such as "rate_limited:times=2" or an object with a mode`);
  }
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!RULE_KEYS.includes(key))
      throw new FailSpecError(`"${key}" in ${where} is not a rule key (${RULE_KEYS.join(', ')})`);
  }
  const mode = raw['mode'];
  if (typeof mode !== 'string' || !isMode(mode)) {
    throw new FailSpecError(`${where}: unknown mode ${JSON.stringify(mode ?? null)}`);
  }
  const rule: { -readonly [K in keyof FailureRule]: FailureRule[K] } = { mode };
  const count = (key: 'times' | 'after', min: number) => {
    const v = raw[key];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      throw new FailSpecError(`${where}: ${key} must be a whole number >= ${min}, got ${show(v)}`);
    }
    rule[key] = v;
  };
  count('times', 1);
  count('after', 0);
  if (raw['rate'] !== undefined) {
    const v = raw['rate'];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1))
      throw new FailSpecError(`${where}: rate must be a number from 0 to 1, got ${show(v)}`);
    rule.rate = v;
  }
  if (raw['ms'] !== undefined) {
    if (!MS_MODES.includes(mode))
      throw new FailSpecError(`${where}: ms applies only to ${MS_MODES.join(', ')}, not ${mode}`);
    rule.ms = parseMs(raw['ms'], where);
  } else if (mode === 'delay') {
    throw new FailSpecError(`${where}: delay needs ms, e.g. delay:ms=300 or delay:ms=100-500`);
  }
  const httpOnly = (key: 'status' | 'retry_after', min: number, max: number) => {
    const v = raw[key];
    if (v === undefined) return;
    if (MODES[mode].kind !== 'http')
      throw new FailSpecError(`${where}: ${key} applies only to HTTP error modes, not ${mode}`);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new FailSpecError(`${where}: ${key} must be a whole number from ${min} to ${max}, got ${show(v)}`);
    }
    rule[key] = v;
  };
  httpOnly('status', 400, 599);
  if (raw['retry_after'] !== undefined && !RETRY_AFTER_MODES.includes(mode)) {
    throw new FailSpecError(`${where}: retry_after applies only to ${RETRY_AFTER_MODES.join(', ')}, not ${mode}`);
  }
  httpOnly('retry_after', 0, 86_400);
  if (raw['match'] !== undefined) rule.match = toMatch(raw['match'], where);
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

function toMatch(v: unknown, where: string): NonNullable<FailureRule['match']> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new FailSpecError(`${where}: match must be an object with client_name, redirect_uri or header`);
  }
  const match: Record<string, string> = {};
  for (const [key, value] of Object.entries(v)) {
    if (!MATCH_KEYS.includes(key))
      throw new FailSpecError(`${where}: match.${key} is not one of ${MATCH_KEYS.join(', ')}`);
    if (typeof value !== 'string' || value === '')
      throw new FailSpecError(`${where}: match.${key} must be a non-empty string`);
    const pattern = key === 'header' ? headerPattern(value, where) : value;
    const compiled = compilePattern(pattern);
    if (typeof compiled === 'string') throw new FailSpecError(`${where}: match.${key} ${compiled}`);
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
