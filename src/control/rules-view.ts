import { DEFAULT_ENDPOINT, type Mode } from '../failures/catalogue.js';
import type { ActiveRule, RuleSource } from '../failures/rules.js';

/** A failure rule in force with its counters, as `GET /__dcr/failures` and `fail()` show it. */
export interface FailureRuleView {
  /** `r1`, `r2`… for rules added at run time, `s1`… for rules given at start. */
  id: string;
  source: RuleSource;
  /** Left out for registration, the default. */
  endpoint?: string;
  mode: Mode | (string & {});
  times?: number;
  after?: number;
  rate?: number;
  match?: {
    readonly client_name?: string;
    readonly redirect_uri?: string;
    readonly header?: string;
    readonly [key: string]: string | undefined;
  };
  /** Milliseconds, or "MIN-MAX". */
  ms?: number | string;
  status?: number;
  retry_after?: number;
  /** Matching requests seen so far. */
  seen: number;
  /** Times the rule was applied. */
  applied: number;
  /** With `times`: how many applications are left. */
  remaining?: number;
}

/** A rule as the control plane, the API and the inspector show it. */
export function ruleView(active: ActiveRule): FailureRuleView {
  const { rule } = active;
  const view: Record<string, unknown> = { id: active.id, source: active.source };
  if (rule.endpoint !== DEFAULT_ENDPOINT) view['endpoint'] = rule.endpoint;
  view['mode'] = rule.mode;
  if (rule.times !== undefined) view['times'] = rule.times;
  if (rule.after !== undefined) view['after'] = rule.after;
  if (rule.rate !== undefined) view['rate'] = rule.rate;
  if (rule.match !== undefined) view['match'] = rule.match;
  if (rule.ms !== undefined) view['ms'] = rule.ms[0] === rule.ms[1] ? rule.ms[0] : `${rule.ms[0]}-${rule.ms[1]}`;
  if (rule.status !== undefined) view['status'] = rule.status;
  if (rule.retry_after !== undefined) view['retry_after'] = rule.retry_after;
  view['seen'] = active.seen;
  view['applied'] = active.applied;
  if (rule.times !== undefined) view['remaining'] = Math.max(0, rule.times - active.applied);
  return view as unknown as FailureRuleView;
}
