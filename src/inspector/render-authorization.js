// How the inspector draws the authorization server: its users, the grants it holds (codes not yet redeemed,
// refresh-token families) and the tokens it issued, each decoded as a JWT debugger would. As in render.js,
// everything goes into the page as text nodes: claims and client names are user input.

import { $, copyButton, fill, h } from './render.js';

/** Who a `sub` is, for the tables: the user's email or name when the server knows them. */
export function namesOf(users, clients) {
  const people = new Map(users.map((u) => [String(u.sub), u.email ?? u.name]));
  const apps = new Map(clients.map((c) => [String(c.client_id), c.client_name]));
  return { person: (sub) => people.get(String(sub)), app: (id) => apps.get(String(id)) };
}

export function drawUsers(users) {
  const items = users.map((user, i) => {
    const { sub, email, name, ...rest } = user;
    const title = email ?? name ?? sub;
    return h(
      'li',
      { class: 'user', dataset: { sub: String(sub) } },
      h(
        'div',
        { class: 'user-head' },
        h('span', { class: 'name' }, String(title)),
        i === 0 ? h('span', { class: 'pill pill-static', title: 'what --login auto logs in as' }, 'default') : null,
      ),
      name !== undefined && name !== title ? h('div', { class: 'small' }, String(name)) : null,
      h('div', { class: 'mono id small' }, String(sub)),
      Object.keys(rest).length > 0
        ? h(
            'details',
            { class: 'claims' },
            h('summary', null, `${Object.keys(rest).length} more claim${Object.keys(rest).length === 1 ? '' : 's'}`),
            h('pre', { class: 'code' }, JSON.stringify(rest, null, 2)),
          )
        : null,
    );
  });
  $('users').replaceChildren(...items);
  $('users-count').textContent = String(items.length);
}

/** `now`: the server's clock, in milliseconds. */
export function drawGrants(grants, names, now) {
  const codes = grants.codes.map((code) =>
    h(
      'tr',
      { dataset: { code: String(code.code) } },
      h('td', null, h('span', { class: 'mono secret', title: String(code.code) }, String(code.code))),
      h('td', null, appCell(code.client_id, names)),
      h('td', null, personCell(code.sub, names)),
      h('td', null, scopeCell(code.scope, code.audience)),
      h('td', { class: 'when' }, untilCell(Number(code.expires_at), now, true)),
    ),
  );
  fill($('codes').tBodies[0], codes, 'codes-empty', 'codes-count');
  const families = grants.refresh_tokens.map((family) =>
    h(
      'tr',
      { dataset: { family: String(family.id), state: String(family.state) } },
      h('td', { class: 'mono id', title: String(family.id) }, `#${family.n}`),
      h('td', null, appCell(family.client_id, names)),
      h('td', null, personCell(family.sub, names)),
      h('td', null, scopeCell(family.scope, family.audience)),
      h('td', null, familyState(family, now)),
      h(
        'td',
        { class: 'small' },
        `token #${family.generation}`,
        h('div', { class: 'muted' }, family.rotation ? 'rotates on use' : 'no rotation'),
        h('div', { class: 'when', title: iso(family.issued_at * 1000) }, `issued ${stamp(family.issued_at * 1000)}`),
      ),
    ),
  );
  fill($('families').tBodies[0], families, 'families-empty', 'families-count');
}

function familyState(family, now) {
  if (family.state === 'revoked') {
    const why = family.revoked_reason === 'reuse' ? 'reuse detected' : 'revoked';
    return [
      h('span', { class: `badge ${family.revoked_reason === 'reuse' ? 'badge-error' : 'badge-none'}` }, why),
      family.revoked_at === null
        ? null
        : h('div', { class: 'when', title: iso(family.revoked_at * 1000) }, stamp(family.revoked_at * 1000)),
    ];
  }
  if (family.state === 'expired') return h('span', { class: 'badge badge-warn' }, 'expired');
  return [
    h('span', { class: 'badge badge-ok' }, 'live'),
    family.expires_at === null ? null : h('div', { class: 'when' }, untilCell(family.expires_at * 1000, now, true)),
  ];
}

const TIME_CLAIMS = ['iat', 'nbf', 'exp', 'auth_time', 'updated_at'];

/** What a failure mode did to a token, as the token endpoint's catalogue says it. */
const VARIANTS = {
  expired: ['expired_token', 'issued already past its exp'],
  outsider: ['bad_signature', 'signed by a key the JWKS does not publish'],
  wrong_audience: ['wrong_audience', 'made out to another audience'],
};

/** `open`: the numbers of the tokens whose decoded view is open; kept across redraws. */
export function drawTokens(tokens, { names, now, open, shown }) {
  const numbers = new Set(tokens.map((t) => String(t.n)));
  for (const n of open) if (!numbers.has(n)) open.delete(n);
  const items = [...tokens].reverse().map((token) => {
    const claims = token.claims ?? {};
    const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
    const variant = VARIANTS[token.variant];
    const details = h(
      'details',
      { class: 'decoded', open: open.has(String(token.n)) },
      h('summary', null, token.format === 'jwt' ? 'Decoded header and claims' : 'What this opaque token stands for'),
      token.format === 'jwt' ? decodedJwt(token) : decodedOpaque(token),
    );
    details.addEventListener('toggle', () => {
      if (details.open) open.add(String(token.n));
      else open.delete(String(token.n));
    });
    return h(
      'li',
      { class: 'token', dataset: { n: String(token.n), kind: String(token.kind), format: String(token.format) } },
      h(
        'div',
        { class: 'token-head' },
        h('span', { class: 'muted mono' }, `#${token.n}`),
        h('code', { class: 'token-kind' }, String(token.kind)),
        h('span', { class: 'pill' }, token.format === 'jwt' ? `JWT · ${token.header?.alg ?? '?'}` : 'opaque'),
        variant ? h('span', { class: 'pill pill-failure', title: variant[1] }, variant[0]) : null,
        exp === undefined ? null : h('span', { class: 'token-exp when' }, untilCell(exp, now)),
      ),
      h(
        'dl',
        { class: 'token-facts' },
        fact('client', appCell(token.client_id, names)),
        fact('grant', h('span', { class: 'mono' }, String(token.grant_type))),
        fact('subject', personCell(claims.sub, names)),
        fact('audience', audienceOf(claims.aud)),
        claims.scope === undefined ? null : fact('scope', h('span', { class: 'mono' }, String(claims.scope))),
      ),
      details,
    );
  });
  $('tokens').replaceChildren(...items);
  $('tokens-empty').hidden = items.length > 0;
  const issued = tokens.length > 0 ? Number(tokens.at(-1).n) : 0;
  $('tokens-count').textContent = String(issued);
  $('tokens-note').textContent = issued > shown ? `newest first · the last ${shown} of ${issued}` : 'newest first';
}

function decodedJwt(token) {
  const [header = '', payload = '', signature = ''] = String(token.token).split('.');
  const claims = token.claims ?? {};
  const times = TIME_CLAIMS.filter((claim) => typeof claims[claim] === 'number').map((claim) =>
    h('div', null, h('dt', { class: 'mono' }, claim), h('dd', null, `${claims[claim]} = ${iso(claims[claim] * 1000)}`)),
  );
  return h(
    'div',
    { class: 'jwt' },
    h(
      'p',
      { class: 'jwt-encoded mono', 'aria-label': 'Encoded token' },
      h('span', { class: 'jwt-header' }, header),
      '.',
      h('span', { class: 'jwt-payload' }, payload),
      '.',
      h('span', { class: 'jwt-signature' }, signature),
    ),
    copyButton(String(token.token), 'token'),
    h(
      'div',
      { class: 'jwt-parts' },
      h(
        'section',
        { class: 'jwt-part jwt-part-header' },
        h('h3', null, 'Header'),
        h('pre', { class: 'code' }, JSON.stringify(token.header ?? {}, null, 2)),
      ),
      h(
        'section',
        { class: 'jwt-part jwt-part-payload' },
        h('h3', null, 'Payload'),
        h('pre', { class: 'code' }, JSON.stringify(claims, null, 2)),
        times.length > 0 ? h('dl', { class: 'jwt-times' }, times) : null,
      ),
    ),
    h(
      'p',
      { class: 'jwt-part jwt-part-signature small' },
      h('b', null, 'Signature: '),
      `${token.header?.alg ?? '?'} by the key `,
      h('code', null, String(token.header?.kid ?? '?')),
      token.variant === 'outsider' ? ', which the JWKS does not publish.' : ', published at /.well-known/jwks.json.',
    ),
  );
}

function decodedOpaque(token) {
  return h(
    'div',
    { class: 'jwt' },
    h('p', { class: 'jwt-encoded mono', 'aria-label': 'Token' }, String(token.token)),
    copyButton(String(token.token), 'token'),
    h(
      'p',
      { class: 'small muted' },
      'Not a JWT: there is nothing in it to decode, and only /userinfo accepts it. Asked for with an audience, the access token is a JWT. This is what the server keeps for it:',
    ),
    h('pre', { class: 'code' }, JSON.stringify(token.claims ?? {}, null, 2)),
  );
}

function fact(label, value) {
  return h('div', null, h('dt', null, label), h('dd', null, value));
}

function appCell(clientId, names) {
  const name = names.app(clientId);
  return [
    name === undefined ? null : h('div', { class: 'name' }, String(name)),
    h('div', { class: 'mono id' }, String(clientId)),
  ];
}

function personCell(sub, names) {
  if (sub === undefined) return h('span', { class: 'muted' }, '—');
  const who = names.person(sub);
  return [who === undefined ? null : h('div', null, String(who)), h('div', { class: 'mono id small' }, String(sub))];
}

function scopeCell(scope, audience) {
  const scopes = Array.isArray(scope) ? scope.join(' ') : String(scope ?? '');
  return [
    scopes === '' ? h('span', { class: 'muted' }, 'no scope') : h('div', { class: 'mono' }, scopes),
    audience ? h('div', { class: 'mono small muted aud' }, `→ ${audience}`) : null,
  ];
}

function audienceOf(aud) {
  const list = Array.isArray(aud) ? aud : aud === undefined ? [] : [aud];
  if (list.length === 0) return h('span', { class: 'muted' }, '—');
  return h(
    'ul',
    { class: 'plain-list' },
    list.map((a) => h('li', { class: 'mono' }, String(a))),
  );
}

/**
 * "expires in 9 min" or "expired 2 h ago" by the server's clock, and the time itself (on a line of its own
 * in a table: `stacked`); see refreshTimes.
 */
function untilCell(at, now, stacked = false) {
  const cell = h(
    'span',
    { class: 'until', dataset: { until: String(at) }, title: iso(at) },
    h('span', { class: 'until-text' }),
    stacked ? h('div', { class: 'small' }, stamp(at)) : h('span', { class: 'small' }, ` · ${dateTime(at)}`),
  );
  setUntil(cell, now);
  return cell;
}

function setUntil(cell, now) {
  const seconds = Math.round((Number(cell.dataset.until) - now) / 1000);
  cell.dataset.expired = String(seconds <= 0);
  cell.firstChild.textContent = seconds > 0 ? `expires in ${span(seconds)}` : `expired ${span(-seconds)} ago`;
}

/**
 * Brings every "expires in …" up to the server's clock, in place: the sections are redrawn only when their
 * data change, so that an open token, a selection or the keyboard's focus stay where they are.
 */
export function refreshTimes(now) {
  for (const cell of document.querySelectorAll('.until')) setUntil(cell, now);
}

/** The server's clock in the top bar: real time, or the time it shows (--clock, or moved on by POST /__dcr/clock). */
export function drawClock(clock) {
  const offset = Number(clock.offset_seconds);
  const now = Date.parse(clock.now);
  const real = offset === 0 && Math.abs(now - Date.now()) < 5000;
  $('fact-clock').textContent = real ? 'real time' : `${dateTime(now)}${offset > 0 ? ` · +${span(offset)}` : ''}`;
  $('fact-clock').title = String(clock.now);
}

/** A duration in its largest unit and the one below it: "23 h 59 min", "9 min 58 s", "1 h", "0 s". */
export function span(seconds) {
  const units = [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
    ['s', 1],
  ];
  const total = Math.max(0, Math.floor(seconds));
  const at = units.findIndex(([, size]) => total >= size);
  if (at === -1) return '0 s';
  const [unit, size] = units[at];
  const text = `${Math.floor(total / size)} ${unit}`;
  const next = units[at + 1];
  const below = next ? Math.floor((total % size) / next[1]) : 0;
  return below > 0 ? `${text} ${below} ${next[0]}` : text;
}

const pad = (n) => String(n).padStart(2, '0');
function dateTime(ms) {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
/** A time as the tables show it: the time of day; the date when it is not today's. */
function stamp(ms) {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return d.toDateString() === new Date().toDateString() ? time : `${dateTime(ms).slice(0, 10)} ${time}`;
}
function iso(ms) {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}
