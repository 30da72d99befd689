// The inspector at `/`: reads and changes the server through the /__dcr control plane.
//
// It polls (every POLL_MS, only while the tab is visible) rather than holding a server-sent-event stream:
// the control plane stays plain request/response, an admin token travels in an Authorization header
// (EventSource cannot send one), and no long-lived connection holds up the server's shutdown.
//
// Everything shown is put into the page as text nodes (client names and bodies are user input):
// no innerHTML anywhere in this file.

const POLL_MS = 1000;
const JOURNAL_LIMIT = 200;
const TOKEN_KEY = 'dcr-mock.admin-token';

const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page lacks #${id}`);
  return el;
};

class NeedsToken extends Error {}

const state = {
  token: sessionStorage.getItem(TOKEN_KEY) ?? '',
  /** What each section last showed, to redraw only what changed (and keep open bodies open). */
  shown: new Map(),
  openBodies: new Set(),
  modes: [],
  timer: undefined,
  running: false,
  again: false,
};

// ---- talking to the control plane -------------------------------------------------------------

async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/__dcr/${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  if (res.status === 401) throw new NeedsToken('the admin token was refused');
  if (res.status === 204) return undefined;
  const data = await res.json().catch(() => undefined);
  if (!res.ok) {
    const why = data && typeof data.error_description === 'string' ? data.error_description : `HTTP ${res.status}`;
    throw new Error(why);
  }
  return data;
}

async function refresh() {
  const [health, clients, requests, failures] = await Promise.all([
    api('GET', 'health'),
    api('GET', 'clients'),
    api('GET', `requests?limit=${JOURNAL_LIMIT}`),
    api('GET', 'failures'),
  ]);
  showAuth(false);
  draw('facts', health, drawFacts);
  draw('clients', clients, drawClients);
  draw('journal', requests, drawJournal);
  draw('rules', failures.rules, drawRules);
  draw('modes', failures.modes, drawModes);
}

/** One poll now, then one every POLL_MS while the tab is visible; never two at once. */
async function tick() {
  clearTimeout(state.timer);
  if (state.running) {
    state.again = true;
    return;
  }
  if (document.hidden) return;
  state.running = true;
  let next = true;
  try {
    await refresh();
    setLive('live', `Live · ${clock(new Date())}`);
  } catch (err) {
    if (err instanceof NeedsToken) {
      showAuth(true, state.token ? 'That token was refused. Check the --admin-token the server was started with.' : '');
      setLive('locked', 'Locked');
      next = false;
    } else {
      setLive('offline', 'Server unreachable · retrying');
    }
  } finally {
    state.running = false;
  }
  if (state.again) {
    state.again = false;
    return tick();
  }
  if (next) state.timer = setTimeout(tick, POLL_MS);
}

function setLive(kind, text) {
  $('live').dataset.state = kind;
  $('live-text').textContent = text;
}

function showAuth(locked, error = '') {
  $('auth').hidden = !locked;
  $('main').hidden = locked;
  $('reset').disabled = locked;
  $('auth-error').textContent = error;
  if (locked) $('auth-token').focus();
}

// ---- drawing ------------------------------------------------------------------------------------

/** Builds an element; strings among the children become text nodes, never markup. */
function h(tag, props, ...children) {
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

function draw(key, data, render) {
  const text = JSON.stringify(data);
  if (state.shown.get(key) === text) return;
  state.shown.set(key, text);
  render(data);
}

function fill(tbody, rows, emptyId, countId) {
  tbody.replaceChildren(...rows);
  $(emptyId).hidden = rows.length > 0;
  $(countId).textContent = String(rows.length);
}

function drawFacts(health) {
  $('fact-endpoint').textContent = `${location.origin}/oidc/register`;
  $('fact-profile').textContent = String(health.profile);
  $('fact-sequence').textContent = `#${Number(health.sequence) + 1}`;
  $('fact-version').textContent = String(health.version);
}

function drawClients(clients) {
  const rows = [...clients].reverse().map((c) =>
    h(
      'tr',
      { dataset: { clientId: String(c.client_id) } },
      h(
        'td',
        { class: 'client' },
        h('div', { class: 'name' }, c.client_name === undefined ? h('span', { class: 'muted' }, '(no name)') : String(c.client_name)),
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
  return h('ul', { class: 'plain-list' }, values.map((v) => h('li', { class: 'mono' }, String(v))));
}

function drawJournal(entries) {
  const ids = new Set(entries.map((e) => String(e.id)));
  for (const id of state.openBodies) if (!ids.has(id)) state.openBodies.delete(id);
  const rows = entries.map((e) =>
    h(
      'tr',
      { dataset: { status: String(e.status) } },
      h('td', { class: 'when', title: String(e.time) }, clock(new Date(e.time))),
      h('td', { class: 'request' }, h('span', { class: 'method' }, String(e.method)), ' ', h('span', { class: 'mono' }, String(e.path))),
      h('td', null, statusBadge(e.status)),
      h('td', { class: 'num mono' }, Number(e.ms).toFixed(1)),
      h('td', null, e.failure ? h('span', { class: 'pill pill-failure' }, String(e.failure)) : h('span', { class: 'muted' }, '—')),
      h('td', { class: 'body' }, bodyCell(e)),
    ),
  );
  fill($('journal').tBodies[0], rows, 'journal-empty', 'journal-count');
}

function statusBadge(status) {
  const n = Number(status);
  const tone = n === 0 ? 'none' : n < 300 ? 'ok' : n < 500 ? 'warn' : 'error';
  return h('span', { class: `badge badge-${tone}`, title: n === 0 ? 'the connection ended without an answer' : undefined }, n === 0 ? 'no answer' : String(n));
}

function bodyCell(entry) {
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
    { open: state.openBodies.has(id) },
    h('summary', { class: 'mono', title: 'Show the body' }, oneLine.length > 120 ? `${oneLine.slice(0, 119)}…` : oneLine || '(empty)'),
    h('pre', { class: 'code' }, text),
  );
  details.addEventListener('toggle', () => {
    if (details.open) state.openBodies.add(id);
    else state.openBodies.delete(id);
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

function drawRules(rules) {
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
          h('span', { class: `pill pill-${removable ? 'runtime' : 'static'}`, title: removable ? 'added at run time' : 'from --fail or the config file: stays until restart' }, removable ? 'run time' : 'start-up'),
          h('span', { class: 'muted small' }, String(rule.id)),
        ),
        removable
          ? h('button', { type: 'button', class: 'button button-small', 'aria-label': `Remove rule ${rule.id}`, onclick: () => removeRule(rule.id) }, 'Remove')
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

function drawModes(modes) {
  state.modes = modes;
  const groups = new Map();
  for (const m of modes) {
    if (!groups.has(m.group)) groups.set(m.group, []);
    groups.get(m.group).push(
      h(
        'li',
        null,
        h('button', { type: 'button', class: 'link mono', title: 'Use in the form', onclick: () => chooseMode(m.mode) }, String(m.mode)),
        h('span', { class: 'mode-summary' }, String(m.summary)),
      ),
    );
  }
  $('modes').replaceChildren(
    ...[...groups].map(([group, items]) => h('div', { class: 'mode-group' }, h('h3', null, String(group)), h('ul', null, items))),
  );
  fillModeSelect(modes);
}

function fillModeSelect(modes) {
  const select = $('rule-mode');
  const chosen = select.value;
  const groups = new Map();
  for (const m of modes) {
    if (!groups.has(m.group)) groups.set(m.group, h('optgroup', { label: String(m.group) }));
    groups.get(m.group).append(h('option', { value: String(m.mode) }, String(m.mode)));
  }
  select.replaceChildren(...groups.values());
  if (chosen && modes.some((m) => m.mode === chosen)) select.value = chosen;
  showModeSummary();
}

function chooseMode(mode) {
  $('rule-mode').value = mode;
  showModeSummary();
  $('rule-mode').focus();
}

function showModeSummary() {
  const m = state.modes.find((x) => x.mode === $('rule-mode').value);
  $('rule-mode-summary').textContent = m ? `Client receives: ${m.summary}` : '';
}

// ---- actions ------------------------------------------------------------------------------------

function ruleFromForm() {
  const rule = { mode: $('rule-mode').value };
  const number = (id, key) => {
    const raw = $(id).value.trim();
    if (raw === '') return;
    const n = Number(raw);
    rule[key] = Number.isNaN(n) ? raw : n;
  };
  number('rule-times', 'times');
  number('rule-after', 'after');
  number('rule-rate', 'rate');
  const ms = $('rule-ms').value.trim();
  if (ms !== '') rule.ms = ms;
  const name = $('rule-client-name').value.trim();
  if (name !== '') rule.match = { client_name: name };
  return rule;
}

async function addRule(event) {
  event.preventDefault();
  const message = $('rule-message');
  try {
    const added = await api('POST', 'failures', ruleFromForm());
    for (const id of ['rule-times', 'rule-after', 'rule-rate', 'rule-ms', 'rule-client-name']) $(id).value = '';
    say(message, 'ok', `Added ${added.mode} (${added.id}).`);
  } catch (err) {
    if (err instanceof NeedsToken) return tick();
    say(message, 'error', err.message);
  }
  await tick();
}

async function removeRule(id) {
  try {
    await api('DELETE', `failures/${encodeURIComponent(id)}`);
    say($('rule-message'), 'ok', `Removed ${id}.`);
  } catch (err) {
    say($('rule-message'), 'error', err.message);
  }
  await tick();
}

async function reset() {
  try {
    await api('POST', 'reset');
    state.openBodies.clear();
  } catch (err) {
    if (!(err instanceof NeedsToken)) setLive('offline', `Reset failed: ${err.message}`);
  }
  await tick();
}

function say(el, tone, text) {
  el.className = `message message-${tone}`;
  el.textContent = text;
}

function unlock(event) {
  event.preventDefault();
  state.token = $('auth-token').value.trim();
  sessionStorage.setItem(TOKEN_KEY, state.token);
  $('auth-token').value = '';
  return tick();
}

// ---- formatting -----------------------------------------------------------------------------------

const pad = (n, width = 2) => String(n).padStart(width, '0');
function clock(d) {
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

// ---- start ----------------------------------------------------------------------------------------

$('rule-form').addEventListener('submit', addRule);
$('rule-mode').addEventListener('change', showModeSummary);
$('reset').addEventListener('click', reset);
$('auth-form').addEventListener('submit', unlock);
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) void tick();
});
void tick();
