// Turns the rounds into figures (medians, ratios, aims) and the figures into text.
import { AIMS } from './targets.js';
import { failures } from './load.js';

export function median(values) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Medians over a target's rounds; `ratio` is to the floor's median of the same run. */
export function summarizeLoad(load) {
  const floor = load.floor?.rounds.length ? median(load.floor.rounds.map((r) => r.rps)) : undefined;
  const summary = {};
  for (const [name, target] of Object.entries(load)) {
    const { rounds } = target;
    const rps = median(rounds.map((r) => r.rps));
    summary[name] = {
      label: target.label,
      rps,
      p50: median(rounds.map((r) => r.p50)),
      p99: median(rounds.map((r) => r.p99)),
      failures: rounds.reduce((sum, r) => sum + failures(r), 0),
      ratio: floor && rps !== undefined ? rps / floor : undefined,
      rounds,
      ...(target.stored ? { stored: target.stored } : {}),
      ...(target.crash ? { crash: target.crash } : {}),
    };
  }
  return summary;
}

export function summarizeCold(cold) {
  const summary = {};
  for (const [name, { label, runs, failures: failed }] of Object.entries(cold)) {
    summary[name] = {
      label,
      median: median(runs),
      min: runs.length ? Math.min(...runs) : undefined,
      max: runs.length ? Math.max(...runs) : undefined,
      runs,
      failures: failed,
    };
  }
  return summary;
}

/** Each aim as measured here: met, not met, or not measured (its targets were not selected). */
export function evaluateAims(load, cold) {
  return AIMS.map((aim) => {
    if (aim.cold) {
      const measured = cold[aim.cold]?.median;
      const status = measured === undefined ? 'not measured' : measured < aim.below ? 'met' : 'not met';
      return { aim: aim.label, measured, unit: 'ms', status };
    }
    const a = load[aim.target]?.rps;
    const b = load[aim.over]?.rps;
    const measured = a !== undefined && b ? a / b : undefined;
    const status = measured === undefined ? 'not measured' : measured >= aim.atLeast ? 'met' : 'not met';
    return { aim: aim.label, measured, unit: 'x', status };
  });
}

const int = (n) => (n === undefined ? '-' : Math.round(n).toLocaleString('en'));
const ms = (n) => (n === undefined ? '-' : n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en'));
const ratio = (n) => (n === undefined ? '-' : `${n.toFixed(2)}x`);

/** Columns padded to their widest cell; the first `leftColumns` left-aligned, the rest right-aligned. */
function table(rows, leftColumns = 1) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i < leftColumns ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatReport(results) {
  const { settings, load, cold, aims, warnings } = results;
  const out = [];
  out.push(
    `dcr-mock bench: node ${settings.node}, ${settings.cpus} CPUs, ${settings.rounds} rounds x ${settings.duration} s, ` +
      `${settings.connections} connections, POST /oidc/register`,
  );
  if (Object.keys(load).length) {
    out.push('');
    const rows = [['target', 'what', 'req/s', 'vs floor', 'p50 ms', 'p99 ms', 'failures', 'req/s by round']];
    for (const [name, t] of Object.entries(load)) {
      rows.push([
        name,
        t.label,
        int(t.rps),
        ratio(t.ratio),
        ms(t.p50),
        ms(t.p99),
        t.crash ? 'exited' : int(t.failures),
        t.rounds.map((r) => int(r.rps)).join(' '),
      ]);
    }
    out.push(table(rows, 2));
    const stored = Object.entries(load).filter(([, t]) => t.stored);
    for (const [name, { stored: s }] of stored) {
      const unfolded = s.unfolded ? ` (+${int(s.unfolded)} journal lines never folded in)` : '';
      // A few more than answered is expected: requests in flight when a round stopped were stored too.
      out.push(
        `stored: ${name} holds ${int(s.clients)} clients in db.json${unfolded}: ${int(s.initial)} at start` +
          ` + ${int(s.answered)} registrations answered 201`,
      );
    }
  }
  if (Object.keys(cold).length) {
    out.push(
      '',
      table([
        ['cold start (spawn -> first 201)', 'median ms', 'min', 'max', 'runs'],
        ...Object.values(cold).map((c) => [c.label, ms(c.median), ms(c.min), ms(c.max), c.runs.length]),
      ]),
    );
  }
  out.push(
    '',
    table([
      ['aim (PRODUCT.md)', 'measured', 'status'],
      ...aims.map((a) => [
        a.aim,
        a.measured === undefined ? '-' : a.unit === 'x' ? ratio(a.measured) : `${ms(a.measured)} ms`,
        a.status,
      ]),
    ]),
  );
  if (settings.cpus < 4 && load.floor) {
    out.push(
      '',
      `note: ${settings.cpus} CPUs for the load generator and the server together; the floor may be capped by the generator, which flatters the ratios.`,
    );
  }
  if (warnings.length) {
    out.push('', ...warnings.map((w) => `!!! WARNING: ${w}`));
  }
  return out.join('\n');
}
