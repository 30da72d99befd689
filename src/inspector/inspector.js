// The inspector at `/`: reads and changes the server through the /__dcr control plane.
//
// It polls (every POLL_MS, only while the tab is visible) rather than holding a server-sent-event stream:
// the control plane stays plain request/response, an admin token travels in an Authorization header
// (EventSource cannot send one), and no long-lived connection holds up the server's shutdown.
//
// render.js and render-authorization.js draw; they put everything into the page as text nodes, never as markup.

import { $, BASE, clock, drawClients, drawFacts, drawJournal, drawModes, drawRules, h } from './render.js';
import { drawClock, drawGrants, drawTokens, drawUsers, namesOf, refreshTimes } from './render-authorization.js';

const POLL_MS = 1000;
const JOURNAL_LIMIT = 200;
/** Tokens shown at most, the newest; the server keeps 500. */
const TOKEN_LIMIT = 100;
const TOKEN_KEY = 'dcr-mock.admin-token';

class NeedsToken extends Error {}

const state = {
  token: sessionStorage.getItem(TOKEN_KEY) ?? '',
  /** What each section last showed, to redraw only what changed (and keep open bodies open). */
  shown: new Map(),
  openBodies: new Set(),
  /** The numbers of the tokens whose decoded view is open. */
  openTokens: new Set(),
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
  const res = await fetch(`${BASE}__dcr/${path}`, {
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
  const [health, clients, requests, failures, serverClock, users, grants, tokens] = await Promise.all([
    api('GET', 'health'),
    api('GET', 'clients'),
    api('GET', `requests?limit=${JOURNAL_LIMIT}`),
    api('GET', 'failures'),
    api('GET', 'clock'),
    api('GET', 'users'),
    api('GET', 'grants'),
    api('GET', `tokens?limit=${TOKEN_LIMIT}`),
  ]);
  showAuth(false);
  const now = Date.parse(serverClock.now);
  // The grants and tokens name clients and users by id; a new name redraws them too.
  const known = clients.map((c) => [c.client_id, c.client_name]);
  const names = namesOf(users, clients);
  draw('facts', health, drawFacts);
  draw('clock', serverClock, drawClock);
  draw('clients', clients, drawClients);
  draw('users', users, drawUsers);
  draw('grants', { grants, known, users }, () => drawGrants(grants, names, now));
  draw('tokens', { tokens, known, users }, () =>
    drawTokens(tokens, { names, now, open: state.openTokens, shown: TOKEN_LIMIT }),
  );
  refreshTimes(now);
  draw('journal', requests, (entries) => drawJournal(entries, state.openBodies));
  draw('rules', failures.rules, (rules) => drawRules(rules, removeRule));
  draw('modes', failures.modes, (modes) => {
    state.modes = modes;
    drawModes(modes, chooseMode);
    fillModeSelect(modes);
  });
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

/** Redraws a section only when its data changed, so that open bodies and the form are left alone. */
function draw(key, data, render) {
  const text = JSON.stringify(data);
  if (state.shown.get(key) === text) return;
  state.shown.set(key, text);
  render(data);
}

// ---- the form -------------------------------------------------------------------------------------

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
    state.openTokens.clear();
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

// ---- start ----------------------------------------------------------------------------------------

// A tenant's page (/t/a/) links to its own control plane and REST routes.
for (const link of document.querySelectorAll('a[href^="/"]')) {
  link.setAttribute('href', `${BASE}${link.getAttribute('href').slice(1)}`);
}

$('rule-form').addEventListener('submit', addRule);
$('rule-mode').addEventListener('change', showModeSummary);
$('reset').addEventListener('click', reset);
$('auth-form').addEventListener('submit', unlock);
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) void tick();
});
void tick();
