// How the inspector draws what the control plane answers. Everything goes into the page as text nodes
// (client names and bodies are user input): no innerHTML anywhere in this file.

/**
 * The path of the issuer this page belongs to, ending in `/`: `/` for the default issuer, `/t/a/` for tenant a
 * (served at `/t/a` and `/t/a/` alike). The control plane and the endpoints shown are under it.
 */
export const BASE = location.pathname.replace(/\/?$/, '/');

export const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page lacks #${id}`);
  return el;
};

/** Builds an element; strings among the children become text nodes, never markup. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'onclick') el.addEventListener('click', value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function fill(tbody, rows, emptyId, countId) {
  tbody.replaceChildren(...rows);
  $(emptyId).hidden = rows.length > 0;
  $(countId).textContent = String(rows.length);
}

export function drawFacts(health) {
  $('fact-endpoint').textContent = `${location.origin}${BASE}oidc/register`;
  $('fact-profile').textContent = String(health.profile);
  $('fact-sequence').textContent = `#${Number(health.sequence) + 1}`;
  $('fact-version').textContent = String(health.version);
}

export function drawClients(clients) {
  const rows = [...clients]
    .reverse()
    .map((c) =>
      h(
        'tr',
        { dataset: { clientId: String(c.client_id) } },
        h(
          'td',
          { class: 'client' },
          h(
            'div',
            { class: 'name' },
            c.client_name === undefined ? h('span', { class: 'muted' }, '(no name)') : String(c.client_name),
          ),
          h('div', { class: 'mono id' }, String(c.client_id)),
        ),
        h('td', { class: 'uris' }, listOf(c.redirect_uris)),
        h('td', null, h('span', { class: 'pill' }, String(c.token_endpoint_auth_method ?? '—'))),
        h('td', { class: 'when', title: String(c.created_at ?? '') }, c.created_at ? createdAt(c.created_at) : '—'),
      ),
    );
  fill($('clients').tBodies[0], rows, 'clients-empty', 'clients-count');
}

function listOf(values) {
  if (!Array.isArray(values) || values.length === 0) return h('span', { class: 'muted' }, '—');
  return h(
    'ul',
    { class: 'plain-list' },
    values.map((v) => h('li', { class: 'mono' }, String(v))),
  );
}

/** `openBodies`: ids of the entries whose body is shown; kept across redraws. */
export function drawJournal(entries, openBodies) {
  const ids = new Set(entries.map((e) => String(e.id)));
  for (const id of openBodies) if (!ids.has(id)) openBodies.delete(id);
  const rows = entries.map((e) =>
    h(
      'tr',
      { dataset: { status: String(e.status) } },
      h('td', { class: 'when', title: String(e.time) }, clock(new Date(e.time))),
      h(
        'td',
        { class: 'request' },
        h('span', { class: 'method' }, String(e.method)),
        ' ',
        h('span', { class: 'mono' }, String(e.path)),
      ),
      h('td', null, statusBadge(e.status)),
      h('td', { class: 'num mono' }, Number(e.ms).toFixed(1)),
      h(
        'td',
        null,
        e.failure ? h('span', { class: 'pill pill-failure' }, String(e.failure)) : h('span', { class: 'muted' }, '—'),
      ),
      h('td', { class: 'body' }, bodyCell(e, openBodies)),
    ),
  );
  fill($('journal').tBodies[0], rows, 'journal-empty', 'journal-count');
}

function statusBadge(status) {
  const n = Number(status);
  const tone = n === 0 ? 'none' : n < 300 ? 'ok' : n < 500 ? 'warn' : 'error';
  return h(
    'span',
    { class: `badge badge-${tone}`, title: n === 0 ? 'the connection ended without an answer' : undefined },
    n === 0 ? 'no answer' : String(n),
  );
}

function bodyCell(entry, openBodies) {
  const parts = [];
  if (entry.client_id) parts.push(h('div', { class: 'mono id small' }, `→ ${entry.client_id}`));
  if (entry.body === undefined) {
    parts.push(h('span', { class: 'muted' }, '—'));
    return parts;
  }
  const id = String(entry.id);
  const text = typeof entry.body === 'string' ? entry.body : JSON.stringify(entry.body, null, 2);
  const oneLine = typeof entry.body === 'string' ? entry.body : JSON.stringify(entry.body);
  const details = h(
    'details',
    { open: openBodies.has(id) },
    h(
      'summary',
      { class: 'mono', title: 'Show the body' },
      oneLine.length > 120 ? `${oneLine.slice(0, 119)}…` : oneLine || '(empty)',
    ),
    h('pre', { class: 'code' }, text),
  );
  details.addEventListener('toggle', () => {
    if (details.open) openBodies.add(id);
    else openBodies.delete(id);
  });
  parts.push(details);
  return parts;
}

const RULE_TERMS = [
  ['times', (v) => `times ${v}`],
  ['after', (v) => `after ${v}`],
  ['rate', (v) => `rate ${v}`],
  ['ms', (v) => `ms ${v}`],
  ['status', (v) => `status ${v}`],
  ['retry_after', (v) => `retry_after ${v}`],
];

export function drawRules(rules, onRemove) {
  const items = rules.map((rule) => {
    const terms = RULE_TERMS.filter(([key]) => rule[key] !== undefined).map(([key, say]) => say(rule[key]));
    for (const [key, value] of Object.entries(rule.match ?? {})) terms.push(`${key} ~ ${value}`);
    const removable = rule.source === 'runtime';
    return h(
      'li',
      { class: 'rule', dataset: { ruleId: String(rule.id), mode: String(rule.mode) } },
      h(
        'div',
        { class: 'rule-head' },
        h(
          'div',
          { class: 'rule-title' },
          h('code', { class: 'rule-mode' }, String(rule.mode)),
          h(
            'span',
            {
              class: `pill pill-${removable ? 'runtime' : 'static'}`,
              title: removable ? 'added at run time' : 'from --fail or the config file: stays until restart',
            },
            removable ? 'run time' : 'start-up',
          ),
          h('span', { class: 'muted small' }, String(rule.id)),
        ),
        removable
          ? h(
              'button',
              {
                type: 'button',
                class: 'button button-small',
                'aria-label': `Remove rule ${rule.id}`,
                onclick: () => onRemove(rule.id),
              },
              'Remove',
            )
          : null,
      ),
      h('div', { class: 'rule-terms' }, terms.length > 0 ? terms.join(' · ') : 'every registration'),
      h(
        'div',
        { class: 'rule-counters' },
        counter('seen', rule.seen),
        counter('applied', rule.applied),
        rule.remaining === undefined ? null : counter('remaining', rule.remaining),
      ),
    );
  });
  fill($('rules'), items, 'rules-empty', 'rules-count');
}

function counter(label, value) {
  return h('span', { class: 'counter', dataset: { counter: label } }, h('b', null, String(value ?? 0)), ` ${label}`);
}

export function drawModes(modes, onChoose) {
  const groups = new Map();
  for (const m of modes) {
    if (!groups.has(m.group)) groups.set(m.group, []);
    groups
      .get(m.group)
      .push(
        h(
          'li',
          null,
          h(
            'button',
            { type: 'button', class: 'link mono', title: 'Use in the form', onclick: () => onChoose(m.mode) },
            String(m.mode),
          ),
          h('span', { class: 'mode-summary' }, String(m.summary)),
        ),
      );
  }
  $('modes').replaceChildren(
    ...[...groups].map(([group, items]) =>
      h('div', { class: 'mode-group' }, h('h3', null, String(group)), h('ul', null, items)),
    ),
  );
}

// ---- formatting ---------------------------------------------------------------------------------

const pad = (n, width = 2) => String(n).padStart(width, '0');
export function clock(d) {
  if (Number.isNaN(d.getTime())) return '—';
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
function createdAt(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return [
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`,
    h('div', { class: 'small' }, `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`),
  ];
}
