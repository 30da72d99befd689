import type { IncomingHttpHeaders } from 'node:http';
import { CATALOGUE, type Catalogue, DEFAULT_ENDPOINT } from './catalogue.js';
import type { Chance } from './chance.js';
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

/** What happens to one request: a delay (0 for none) and at most one failure. */
export interface Decision {
  readonly delayMs: number;
  readonly failure: ActiveRule | undefined;
  /** For the log and the journal: the modes applied, e.g. "delay+rate_limited". */
  readonly label: string | undefined;
}

/**
 * The facts of one request that a rule's `match` may test: its headers, and the values of the
 * endpoint's own match keys (registration: `client_name`, `redirect_uri`), read once per request.
 */
export interface Subject {
  readonly headers: IncomingHttpHeaders;
  readonly values: Readonly<Record<string, readonly string[]>>;
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
    /** Delays every answer of the default endpoint (registration). */
    readonly latency: readonly [number, number] | undefined,
    readonly catalogue: Catalogue = CATALOGUE,
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

  /**
   * Decides, and counts, what happens to one request to `endpoint`. `requestRules` come with the
   * request; rules for other endpoints pass it by. `subject` is read only when some rule may apply.
   */
  choose(endpoint: string, subject: () => Subject, requestRules: readonly FailureRule[]): Decision {
    const latency = endpoint === DEFAULT_ENDPOINT ? this.latency : undefined;
    if (requestRules.length === 0 && this.#runtime.length === 0 && this.#static.length === 0 && !latency) {
      return NONE;
    }
    const oneShot = requestRules.map((rule) => this.#activate(rule, 'request'));
    let facts: Subject | undefined;
    let delayMs = latency ? this.#chance.between(...latency) : 0;
    let failure: ActiveRule | undefined;
    const modes: string[] = [];
    for (const rules of [oneShot, this.#runtime, this.#static]) {
      for (const active of rules) {
        if (active.rule.endpoint !== endpoint) continue;
        const isDelay = active.rule.mode === 'delay';
        if (failure && !isDelay) continue;
        facts ??= subject();
        if (!this.#fires(active, facts)) continue;
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
  for (const [key, source] of Object.entries(match)) {
    if (key === 'header') {
      const name = source.slice(0, source.indexOf(':')).trim().toLowerCase();
      const p = compile(headerPattern(source));
      tests.push(({ headers }) => {
        const value = headers[name];
        return value !== undefined && p.test(Array.isArray(value) ? value.join(', ') : value);
      });
    } else {
      const p = compile(source);
      tests.push(({ values }) => values[key]?.some((v) => p.test(v)) ?? false);
    }
  }
  const [only] = tests;
  return tests.length === 1 && only ? only : (subject) => tests.every((t) => t(subject));
}

function compile(source: string): Pattern {
  const p = compilePattern(source);
  if (typeof p === 'string') throw new Error(`pattern ${source} was not validated: ${p}`);
  return p;
}
