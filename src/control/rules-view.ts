import type { ActiveRule } from '../failures/rules.js';

/** A rule as the control plane, the API and the inspector show it. */
export function ruleView(active: ActiveRule): Record<string, unknown> {
  const { rule } = active;
  const view: Record<string, unknown> = { id: active.id, source: active.source, mode: rule.mode };
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
  return view;
}
