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
      cpu: median(rounds.map((r) => r.cpu).filter((c) => c !== undefined)),
      failures: rounds.reduce((sum, r) => sum + failures(r), 0),
      ratio: floor && rps !== undefined ? rps / floor : undefined,
      rounds,
      rss: target.rss,
      ...(target.stored ? { stored: target.stored } : {}),
      ...(target.crash ? { crash: target.crash } : {}),
    };
  }
  return summary;
}

export function summarizeCold(cold) {
  const summary = {};
  for (const [name, { label, runs, failures: failed, jwks }] of Object.entries(cold)) {
    summary[name] = {
      label,
      median: median(runs),
      min: runs.length ? Math.min(...runs) : undefined,
      max: runs.length ? Math.max(...runs) : undefined,
      runs,
      failures: failed,
      ...(jwks && {
        jwks: { first: median(jwks.map((j) => j.first)), next: median(jwks.map((j) => j.next)), runs: jwks },
      }),
    };
  }
  return summary;
}

/** The figure an aim reads: a load target's median req/s or p99, a cold start's median, or its JWKS ratio. */
function figure(metric, name, load, cold) {
  if (metric === 'cold') return cold[name]?.median;
  if (metric === 'jwks') {
    const jwks = cold[name]?.jwks;
    return jwks?.next ? jwks.first / jwks.next : undefined;
  }
  return load[name]?.[metric];
}

/** Each aim as measured here: met, not met, or not measured (its targets were not selected). */
export function evaluateAims(load, cold) {
  return AIMS.map((aim) => {
    const a = figure(aim.metric, aim.target, load, cold);
    const b = aim.over ? figure(aim.metric, aim.over, load, cold) : 1;
    const measured = a !== undefined && b ? a / b : undefined;
    const met = aim.atLeast !== undefined ? measured >= aim.atLeast : measured <= aim.atMost;
    const status = measured === undefined ? 'not measured' : met ? 'met' : 'not met';
    return { aim: aim.label, measured, unit: aim.over || aim.metric === 'jwks' ? 'x' : 'ms', status };
  });
}

const int = (n) => (n === undefined ? '-' : Math.round(n).toLocaleString('en'));
const ms = (n) => (n === undefined ? '-' : n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en'));
const ratio = (n) => (n === undefined ? '-' : `${n.toFixed(2)}x`);
const mb = (bytes) => (bytes === undefined ? '-' : (bytes / 1048576).toFixed(1));
const percent = (n) => (n === undefined ? '-' : `${Math.round(n)}%`);

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
  const autocannon = settings.generator === 'autocannon';
  const generator = autocannon
    ? 'autocannon (!!! a fallback: it shares the CPUs with the servers, its figures are rough)'
    : `${settings.generatorVersion?.split(' ').slice(0, 2).join(' ') ?? 'wrk'}, 1 thread`;
  out.push(
    `dcr-mock bench: node ${settings.node}, ${settings.cpus} CPUs, ${settings.rounds} rounds x ${settings.duration} s, ` +
      `${settings.connections} connections; POST /oidc/register with a distinct client_name each, or (token rows) ` +
      'POST to the token endpoint with a code or refresh token of its own each, or (mcp-call) the same tools/call with one valid token',
    `load generator: ${generator}`,
  );
  if (Object.keys(load).length) {
    out.push('');
    const rows = [['target', 'what', 'req/s', 'vs floor', 'p50 ms', 'p99 ms', 'cpu', 'failures', 'req/s by round']];
    for (const [name, t] of Object.entries(load)) {
      rows.push([
        name,
        t.label,
        int(t.rps),
        ratio(t.ratio),
        ms(t.p50),
        ms(t.p99),
        percent(t.cpu),
        t.crash ? 'exited' : int(t.failures),
        t.rounds.map((r) => int(r.rps)).join(' '),
      ]);
    }
    out.push(table(rows, 2));
    out.push(
      "cpu: CPU time of the server's process per second of a round (median; 100% = one CPU, its GC and I/O threads add to it);",
      '     well under 100%, the server was waiting: the generator or the rest of the machine set the pace.',
      '',
      table([
        ['memory (VmRSS)', 'at start MB', 'after load MB', 'clients stored at the end'],
        ...Object.entries(load).map(([name, t]) => [
          name,
          mb(t.rss?.start),
          mb(t.rss?.afterLoad),
          storedText(t.stored),
        ]),
      ]),
    );
  }
  if (Object.keys(cold).length) {
    out.push(
      '',
      table(
        [
          ['cold start (spawn -> first 201)', 'what', 'median ms', 'min', 'max', 'runs', 'then jwks 1st, 2nd ms'],
          ...Object.entries(cold).map(([name, c]) => [
            name,
            c.label,
            ms(c.median),
            ms(c.min),
            ms(c.max),
            c.runs.length,
            c.jwks ? `${ms(c.jwks.first)}, ${ms(c.jwks.next)}` : '-',
          ]),
        ],
        2,
      ),
    );
  }
  out.push(
    '',
    table([
      ['aim (PRODUCT.md, AUTHORIZATION.md; ratios within this run)', 'measured', 'status'],
      ...aims.map((a) => [
        a.aim,
        a.measured === undefined ? '-' : a.unit === 'x' ? ratio(a.measured) : `${ms(a.measured)} ms`,
        a.status,
      ]),
    ]),
  );
  if (autocannon && load.floor) {
    out.push(
      '',
      `!!! autocannon runs in this process, on the ${settings.cpus} CPUs the servers use: it may cap the floor (flattering the ratios) or starve a server. Install wrk for figures that measure the server.`,
    );
  }
  if (warnings.length) {
    out.push('', ...warnings.map((w) => `!!! WARNING: ${w}`));
  }
  return out.join('\n');
}

/** What a db.json target held when it stopped: the clients it started with plus those it answered 201. */
function storedText(s) {
  if (!s) return '-';
  const unfolded = s.unfolded ? ` (+${int(s.unfolded)} journal lines never folded in)` : '';
  // A few more than answered is expected: requests in flight when a round stopped were stored too.
  return `${int(s.clients)}${unfolded} = ${int(s.initial)} at start + ${int(s.answered)} answered 201`;
}
