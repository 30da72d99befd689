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

/**
 * Each cell is labelled with its column's heading, which a narrow screen shows beside it (the table is laid
 * out as one card a row there).
 */
export function fill(tbody, rows, emptyId, countId) {
  const headings = tbody.parentElement?.tHead
    ? [...tbody.parentElement.tHead.rows[0].cells].map((th) => th.textContent)
    : [];
  for (const row of rows) {
    if (!(row instanceof HTMLTableRowElement)) continue;
    [...row.cells].forEach((cell, i) => {
      if (headings[i]) cell.dataset.label = headings[i];
    });
  }
  tbody.replaceChildren(...rows);
  $(emptyId).hidden = rows.length > 0;
  $(countId).textContent = String(rows.length);
}

export function drawFacts(health) {
  $('fact-endpoint').textContent = String(
    health.endpoints?.registration_endpoint ?? `${location.origin}${BASE}oidc/register`,
  );
  $('fact-profile').textContent = String(health.profile);
  $('fact-sequence').textContent = `#${Number(health.sequence) + 1}`;
  $('fact-version').textContent = String(health.version);
}

/** `clientUri(id)`: the client's registration_client_uri, where the profile has RFC 7592 management. */
export function drawClients(clients, clientUri) {
  const rows = [...clients].reverse().map((c) => {
    const uri = clientUri(c.client_id);
    return h(
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
        credential('client_id', c.client_id, 'mono id'),
        c.client_secret === undefined ? null : credential('client_secret', c.client_secret, 'mono secret'),
        uri === undefined ? null : credential('registration_client_uri', uri, 'mono url'),
      ),
      h('td', { class: 'uris' }, listOf(c.redirect_uris)),
      h('td', null, h('span', { class: 'pill' }, String(c.token_endpoint_auth_method ?? '—'))),
      h('td', { class: 'when', title: String(c.created_at ?? '') }, c.created_at ? createdAt(c.created_at) : '—'),
    );
  });
  fill($('clients').tBodies[0], rows, 'clients-empty', 'clients-count');
}

/** A value with its name and a button that copies it. */
function credential(name, value, className) {
  return h(
    'div',
    { class: 'credential', dataset: { field: name } },
    name === 'client_id' ? null : h('span', { class: 'credential-name' }, name),
    h(
      'span',
      { class: `credential-value ${className}`, title: name === 'client_secret' ? undefined : String(value) },
      String(value),
    ),
    copyButton(String(value), name),
  );
}

/**
 * A button that puts `value` on the clipboard. Where the page may not write to it (an insecure origin, a
 * refused permission), it selects the value's text beside it instead, for Ctrl+C.
 */
export function copyButton(value, name) {
  const button = h(
    'button',
    { type: 'button', class: 'copy', 'aria-label': `Copy ${name}`, title: `Copy ${name}` },
    'Copy',
  );
  button.addEventListener('click', async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(value);
      flash(button, 'Copied');
    } catch {
      const text = button.previousElementSibling;
      if (text) {
        const range = document.createRange();
        range.selectNodeContents(text);
        getSelection()?.removeAllRanges();
        getSelection()?.addRange(range);
      }
      flash(button, 'Selected: press Ctrl+C');
    }
  });
  return button;
}

function flash(button, text) {
  button.textContent = text;
  button.dataset.done = 'true';
  setTimeout(() => {
    button.textContent = 'Copy';
    delete button.dataset.done;
  }, 2000);
}

const URL_NAMES = [
  ['issuer', 'issuer'],
  ['registration_endpoint', 'registration'],
  ['authorization_endpoint', 'authorization'],
  ['token_endpoint', 'token'],
  ['userinfo_endpoint', 'userinfo'],
  ['revocation_endpoint', 'revocation'],
  ['jwks_uri', 'JWKS'],
];

/** The issuer and the endpoints discovery advertises, each with a button that copies it. */
export function drawEndpoints(health) {
  const urls = { issuer: health.issuer, ...health.endpoints };
  const known = new Set(URL_NAMES.map(([key]) => key));
  const names = [
    ...URL_NAMES,
    ...Object.keys(urls)
      .filter((k) => !known.has(k))
      .map((k) => [k, k]),
  ];
  $('endpoints').replaceChildren(
    ...names
      .filter(([key]) => typeof urls[key] === 'string')
      .map(([key, label]) =>
        h(
          'div',
          { class: 'endpoint', dataset: { url: key } },
          h('dt', { title: key }, label),
          h('dd', null, h('span', { class: 'mono url' }, String(urls[key])), copyButton(String(urls[key]), key)),
        ),
      ),
  );
}

function listOf(values) {
  if (!Array.isArray(values) || values.length === 0) return h('span', { class: 'muted' }, '—');
  return h(
    'ul',
    { class: 'plain-list' },
    values.map((v) => h('li', { class: 'mono' }, String(v))),
  );
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
    const endpoint = rule.endpoint ?? 'registration';
    return h(
      'li',
      { class: 'rule', dataset: { ruleId: String(rule.id), mode: String(rule.mode), endpoint } },
      h(
        'div',
        { class: 'rule-head' },
        h(
          'div',
          { class: 'rule-title' },
          h('code', { class: 'rule-mode' }, rule.endpoint ? `${rule.endpoint}:${rule.mode}` : String(rule.mode)),
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
      h(
        'div',
        { class: 'rule-terms' },
        terms.length > 0 ? terms.join(' · ') : rule.endpoint ? `every ${rule.endpoint} request` : 'every registration',
      ),
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
