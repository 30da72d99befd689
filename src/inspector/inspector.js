// The inspector at `/`: reads and changes the server through the /__dcr control plane.
//
// It polls (every POLL_MS, only while the tab is visible) rather than holding a server-sent-event stream:
// the control plane stays plain request/response, an admin token travels in an Authorization header
// (EventSource cannot send one), and no long-lived connection holds up the server's shutdown.
//
// render.js, render-journal.js and render-authorization.js draw, and rule-form.js fills the form that adds a
// rule; they put everything into the page as text nodes, never as markup.

import { $, BASE, clock, drawClients, drawEndpoints, drawFacts, drawRules } from './render.js';
import { drawClock, drawGrants, drawTokens, drawUsers, namesOf, refreshTimes } from './render-authorization.js';
import { drawJournal, readFilter } from './render-journal.js';
import { clearRuleForm, modeSummary, ruleFromForm, setCatalogue, wireRuleForm } from './rule-form.js';

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
  /** The last journal fetched, drawn again when a filter changes. */
  journal: [],
  /** RFC 7592: what a client's registration_client_uri starts with, or null. */
  clientConfiguration: null,
  /** The path of each endpoint discovery advertises, to the catalogue's name for it. */
  paths: new Map(),
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
  const { uptime_ms, ...facts } = health;
  draw('facts', facts, (shown) => {
    drawFacts(shown);
    drawEndpoints(shown);
    state.clientConfiguration = shown.client_configuration ?? null;
    state.paths = new Map(
      Object.entries(shown.endpoints ?? {})
        .filter(([key]) => ENDPOINT_OF[key])
        .map(([key, url]) => [new URL(url).pathname, ENDPOINT_OF[key]]),
    );
    state.shown.delete('clients');
  });
  draw('clock', serverClock, drawClock);
  draw('clients', clients, (list) => drawClients(list, clientUri));
  draw('users', users, drawUsers);
  draw('grants', { grants, known, users }, () => drawGrants(grants, names, now));
  draw('tokens', { tokens, known, users }, () =>
    drawTokens(tokens, { names, now, open: state.openTokens, shown: TOKEN_LIMIT }),
  );
  refreshTimes(now);
  draw('endpoints', failures.endpoints, setCatalogue);
  draw('journal', requests, (entries) => {
    state.journal = entries;
    drawJournalNow();
  });
  draw('rules', failures.rules, (rules) => drawRules(rules, removeRule));
}

function drawJournalNow() {
  drawJournal(state.journal, { openBodies: state.openBodies, filter: readFilter(), summaryOf });
}

/** The failure catalogue's name of the endpoints discovery advertises, by the member that gives its URL. */
const ENDPOINT_OF = {
  registration_endpoint: 'registration',
  authorization_endpoint: 'authorize',
  token_endpoint: 'token',
  revocation_endpoint: 'revoke',
  userinfo_endpoint: 'userinfo',
  jwks_uri: 'jwks',
};

/**
 * What a failure the journal names does, from the catalogue of the endpoint the request went to when the page
 * knows its path, else from the first that has the mode (`limit:…` names are refusals, not modes).
 */
function summaryOf(failure, path) {
  if (String(failure).startsWith('limit:')) return 'refused by a limit the server was started with';
  return modeSummary(failure, state.paths.get(path));
}

function clientUri(clientId) {
  return state.clientConfiguration === null ? undefined : `${state.clientConfiguration}${encodeURIComponent(clientId)}`;
}

function clearFilters() {
  $('filter-status').value = '';
  $('filter-path').value = '';
  $('filter-failure').value = '';
  drawJournalNow();
  $('filter-status').focus();
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

// ---- actions ------------------------------------------------------------------------------------

async function addRule(event) {
  event.preventDefault();
  const message = $('rule-message');
  try {
    const added = await api('POST', 'failures', ruleFromForm());
    clearRuleForm();
    say(message, 'ok', `Added ${added.endpoint ? `${added.endpoint}:` : ''}${added.mode} (${added.id}).`);
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

/** Reset forgets a great deal: it asks first, in a dialog that Escape or Cancel closes. */
function askReset() {
  $('reset-dialog').showModal();
}

async function reset() {
  $('reset-dialog').close('reset');
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
wireRuleForm();
$('reset').addEventListener('click', askReset);
$('reset-cancel').addEventListener('click', () => $('reset-dialog').close('cancel'));
$('reset-confirm').addEventListener('click', reset);
$('filters').addEventListener('submit', (event) => event.preventDefault());
$('filters').addEventListener('input', drawJournalNow);
$('filter-clear').addEventListener('click', clearFilters);
$('auth-form').addEventListener('submit', unlock);
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) void tick();
});
void tick();
