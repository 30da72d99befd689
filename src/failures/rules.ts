import type { IncomingHttpHeaders } from 'node:http';
import { MATCH_TEST_STEPS, MAX_MATCH_STEPS, MAX_RUNTIME_RULES } from './bounds.js';
import { CATALOGUE, type Catalogue, DEFAULT_ENDPOINT } from './catalogue.js';
import type { Chance } from './chance.js';
import { type Pattern, compilePattern } from './pattern.js';
import { FailSpecError, type FailureRule, headerPattern } from './spec.js';

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
  /** At most how many steps `test` takes on this subject (see MAX_MATCH_STEPS). */
  readonly steps: (subject: Subject) => number;
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
    return this.addAll([rule])[0]!;
  }

  /** Adds rules at run time, all or none: past MAX_RUNTIME_RULES in force, none, and a FailSpecError says so. */
  addAll(rules: readonly FailureRule[]): ActiveRule[] {
    if (this.#runtime.length + rules.length > MAX_RUNTIME_RULES) {
      throw new FailSpecError(
        `run-time failure rules must number at most ${MAX_RUNTIME_RULES}: ${this.#runtime.length} in force, ${rules.length} more asked. Remove some first (DELETE /__dcr/failures/:id, or DELETE /__dcr/failures for all)`,
        [],
      );
    }
    const added = rules.map((rule) => this.#activate(rule, 'runtime'));
    this.#runtime.push(...added);
    return added;
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
   * Throws a FailSpecError, having counted nothing, when matching could take more than MAX_MATCH_STEPS.
   */
  choose(endpoint: string, subject: () => Subject, requestRules: readonly FailureRule[]): Decision {
    const latency = endpoint === DEFAULT_ENDPOINT ? this.latency : undefined;
    if (requestRules.length === 0 && this.#runtime.length === 0 && this.#static.length === 0 && !latency) {
      return NONE;
    }
    const oneShot = requestRules.map((rule) => this.#activate(rule, 'request'));
    let facts = this.#checkCost(endpoint, subject, [oneShot, this.#runtime, this.#static]);
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

  /**
   * Refuses, before any counter moves, a request whose matching could take more than MAX_MATCH_STEPS:
   * every rule for the endpoint that may still fire is charged in full, as if none fired before it.
   * Returns the subject if it had to be read.
   */
  #checkCost(endpoint: string, subject: () => Subject, lists: readonly ActiveRule[][]): Subject | undefined {
    let facts: Subject | undefined;
    let steps = 0;
    for (const rules of lists) {
      for (const active of rules) {
        const { endpoint: target, match, times } = active.rule;
        if (target !== endpoint || !match || (times !== undefined && active.applied >= times)) continue;
        facts ??= subject();
        steps += active.steps(facts);
        if (steps > MAX_MATCH_STEPS) {
          throw new FailSpecError(
            `the match conditions of the failure rules must take at most ${MAX_MATCH_STEPS.toLocaleString('en')} steps on one request, and these would take more: use fewer rules with a match, fewer or shorter values, or patterns anchored with ^`,
            [],
          );
        }
      }
    }
    return facts;
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
    return { id, source, rule, seen: 0, applied: 0, ...matcher(rule) };
  }
}

type Matcher = Pick<ActiveRule, 'test' | 'steps'>;

const ALWAYS: Matcher = { test: () => true, steps: () => 0 };

/** Compiles a rule's match conditions (already validated) into one test, and what it may cost. */
function matcher(rule: FailureRule): Matcher {
  const { match } = rule;
  if (!match) return ALWAYS;
  const parts: Matcher[] = [];
  for (const [key, source] of Object.entries(match)) {
    if (key === 'header') {
      const name = source.slice(0, source.indexOf(':')).trim().toLowerCase();
      const p = compile(headerPattern(source));
      const headerValue = (headers: Subject['headers']) => {
        const value = headers[name];
        return Array.isArray(value) ? value.join(', ') : value;
      };
      parts.push({
        test: ({ headers }) => {
          const value = headerValue(headers);
          return value !== undefined && p.test(value);
        },
        steps: ({ headers }) => {
          const value = headerValue(headers);
          return value === undefined ? 0 : MATCH_TEST_STEPS + p.steps(value.length);
        },
      });
    } else {
      const p = compile(source);
      parts.push({
        test: ({ values }) => values[key]?.some((v) => p.test(v)) ?? false,
        steps: ({ values }) => {
          let steps = 0;
          for (const v of values[key] ?? []) steps += MATCH_TEST_STEPS + p.steps(v.length);
          return steps;
        },
      });
    }
  }
  const [only] = parts;
  if (parts.length === 1 && only) return only;
  return {
    test: (subject) => parts.every((part) => part.test(subject)),
    steps: (subject) => parts.reduce((sum, part) => sum + part.steps(subject), 0),
  };
}

function compile(source: string): Pattern {
  const p = compilePattern(source);
  if (typeof p === 'string') throw new Error(`pattern ${source} was not validated: ${p}`);
  return p;
}
