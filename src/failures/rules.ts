import type { IncomingHttpHeaders } from 'node:http';
import type { Chance } from './chance.js';
import { MODES } from './catalogue.js';
import { type Pattern, compilePattern } from './pattern.js';
import { type FailureRule, headerPattern } from './spec.js';

/** Where a rule came from, highest precedence first. */
export type RuleSource = 'request' | 'runtime' | 'static';

/** A rule in force, with its counters. */
export interface ActiveRule {
  readonly id: string;
  readonly source: RuleSource;
  readonly rule: FailureRule;
  /** Matching requests seen. */
  seen: number;
  /** Times it was applied. */
  applied: number;
  readonly test: (subject: Subject) => boolean;
}

/** What a rule may look at. */
export interface RequestFacts {
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
}

/** What happens to one request: a delay (0 for none) and at most one failure. */
export interface Decision {
  readonly delayMs: number;
  readonly failure: ActiveRule | undefined;
  /** For the log and the journal: the modes applied, e.g. "delay+rate_limited". */
  readonly label: string | undefined;
}

/** The parts of a request a rule can match, read once per request rather than once per rule. */
interface Subject {
  readonly clientName: string | undefined;
  readonly redirectUris: readonly string[];
  readonly headers: IncomingHttpHeaders;
}

function subjectOf({ body, headers }: RequestFacts): Subject {
  const name = field(body, 'client_name');
  const uris = field(body, 'redirect_uris');
  return {
    clientName: typeof name === 'string' ? name : undefined,
    redirectUris: Array.isArray(uris) ? uris.filter((u): u is string => typeof u === 'string') : [],
    headers,
  };
}

const NONE: Decision = Object.freeze({ delayMs: 0, failure: undefined, label: undefined });

/** The rules in force and the one place that decides which apply to a request. */
export class FailurePlan {
  readonly #chance: Chance;
  readonly #static: ActiveRule[];
  #runtime: ActiveRule[] = [];
  #nextId = 1;

  constructor(
    chance: Chance,
    staticRules: readonly FailureRule[],
    readonly latency: readonly [number, number] | undefined,
  ) {
    this.#chance = chance;
    this.#static = staticRules.map((rule) => this.#activate(rule, 'static'));
  }

  /** Adds a rule at run time (control plane, programmatic API); it wins over static ones. */
  add(rule: FailureRule): ActiveRule {
    const active = this.#activate(rule, 'runtime');
    this.#runtime.push(active);
    return active;
  }

  remove(id: string): boolean {
    const before = this.#runtime.length;
    this.#runtime = this.#runtime.filter((r) => r.id !== id);
    return this.#runtime.length !== before;
  }

  clearRuntime(): void {
    this.#runtime = [];
  }

  /** Runtime rules gone, static counters and the seeded draws back to their start. */
  reset(): void {
    this.#runtime = [];
    for (const rule of this.#static) {
      rule.seen = 0;
      rule.applied = 0;
    }
    this.#chance.rewind();
  }

  /** Every rule in force, highest precedence first. */
  list(): readonly ActiveRule[] {
    return [...this.#runtime, ...this.#static];
  }

  /** Decides, and counts, what happens to one registration. `requestRules` come with the request. */
  choose(facts: RequestFacts, requestRules: readonly FailureRule[]): Decision {
    if (requestRules.length === 0 && this.#runtime.length === 0 && this.#static.length === 0 && !this.latency) {
      return NONE;
    }
    const oneShot = requestRules.map((rule) => this.#activate(rule, 'request'));
    const subject = subjectOf(facts);
    let delayMs = this.latency ? this.#chance.between(...this.latency) : 0;
    let failure: ActiveRule | undefined;
    const modes: string[] = [];
    for (const rules of [oneShot, this.#runtime, this.#static]) {
      for (const active of rules) {
        const isDelay = MODES[active.rule.mode].kind === 'delay';
        if (failure && !isDelay) continue;
        if (!this.#fires(active, subject)) continue;
        modes.push(active.rule.mode);
        if (isDelay) delayMs += this.#chance.between(...active.rule.ms!);
        else failure = active;
      }
    }
    return { delayMs, failure, label: modes.length > 0 ? modes.join('+') : undefined };
  }

  /** Whether the rule applies now; counts it when it does. */
  #fires(active: ActiveRule, subject: Subject): boolean {
    const { times, after = 0, rate } = active.rule;
    if (times !== undefined && active.applied >= times) return false;
    if (!active.test(subject)) return false;
    active.seen++;
    if (active.seen <= after) return false;
    if (rate !== undefined && !(this.#chance.next() < rate)) return false;
    active.applied++;
    return true;
  }

  #activate(rule: FailureRule, source: RuleSource): ActiveRule {
    const id = source === 'request' ? 'request' : `${source === 'static' ? 's' : 'r'}${this.#nextId++}`;
    return { id, source, rule, seen: 0, applied: 0, test: matcher(rule) };
  }
}

/** Compiles a rule's match conditions (already validated) into one test. */
function matcher(rule: FailureRule): (subject: Subject) => boolean {
  const { match } = rule;
  if (!match) return () => true;
  const tests: Array<(subject: Subject) => boolean> = [];
  if (match.client_name !== undefined) {
    const p = compile(match.client_name);
    tests.push(({ clientName }) => clientName !== undefined && p.test(clientName));
  }
  if (match.redirect_uri !== undefined) {
    const p = compile(match.redirect_uri);
    tests.push(({ redirectUris }) => redirectUris.some((u) => p.test(u)));
  }
  if (match.header !== undefined) {
    const name = match.header.slice(0, match.header.indexOf(':')).trim().toLowerCase();
    const p = compile(headerPattern(match.header));
    tests.push(({ headers }) => {
      const value = headers[name];
      return value !== undefined && p.test(Array.isArray(value) ? value.join(', ') : value);
    });
  }
  const [only] = tests;
  return tests.length === 1 && only ? only : (subject) => tests.every((t) => t(subject));
}

function compile(source: string): Pattern {
  const p = compilePattern(source);
  if (typeof p === 'string') throw new Error(`pattern ${source} was not validated: ${p}`);
  return p;
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null && Object.hasOwn(body, name)
    ? (body as Record<string, unknown>)[name]
    : undefined;
}
