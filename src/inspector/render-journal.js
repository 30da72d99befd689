// How the inspector draws the request journal: one line a request (time, method and path, status, ms, the
// failure applied, the start of its body) that opens on what was sent and what came back, and the filters
// over it. As in render.js, everything goes into the page as text nodes: bodies and headers are user input.

import { $, clock, h } from './render.js';

/** What the status filter's choices keep. */
const STATUS_CLASSES = {
  '2xx': (n) => n >= 200 && n < 300,
  '3xx': (n) => n >= 300 && n < 400,
  '4xx': (n) => n >= 400 && n < 500,
  '5xx': (n) => n >= 500,
  none: (n) => n === 0,
};

/** The filters as the form holds them: `status` ('' or a STATUS_CLASSES key), `path`, `failure` ('', 'any', 'none' or a name). */
export function readFilter() {
  return {
    status: $('filter-status').value,
    path: $('filter-path').value.trim().toLowerCase(),
    failure: $('filter-failure').value,
  };
}

export const isFiltering = (filter) => filter.status !== '' || filter.path !== '' || filter.failure !== '';

function matches(entry, filter) {
  const status = STATUS_CLASSES[filter.status];
  if (status && !status(Number(entry.status))) return false;
  if (filter.path !== '' && !String(entry.path).toLowerCase().includes(filter.path)) return false;
  if (filter.failure === 'any') return Boolean(entry.failure);
  if (filter.failure === 'none') return !entry.failure;
  if (filter.failure !== '') return entry.failure === filter.failure;
  return true;
}

/**
 * `openBodies`: ids of the entries shown open, kept across redraws; `summaryOf(failure, path)`: what a
 * failure mode does to a request to that path, from the catalogue.
 */
export function drawJournal(entries, { openBodies, filter, summaryOf }) {
  const ids = new Set(entries.map((e) => String(e.id)));
  for (const id of openBodies) if (!ids.has(id)) openBodies.delete(id);
  fillFailureChoices(entries);
  const shown = entries.filter((e) => matches(e, filter));
  $('journal').replaceChildren(...shown.map((e) => entryItem(e, openBodies, summaryOf)));
  const filtering = isFiltering(filter);
  $('journal-empty').hidden = entries.length > 0;
  $('journal-unmatched').hidden = entries.length === 0 || shown.length > 0;
  $('journal-head').hidden = shown.length === 0;
  $('journal-count').textContent = filtering ? `${shown.length} of ${entries.length}` : String(entries.length);
  $('filter-clear').disabled = !filtering;
}

/** The failure filter offers every failure the journal holds, and keeps the one chosen. */
function fillFailureChoices(entries) {
  const select = $('filter-failure');
  const names = [
    ...new Set(
      entries
        .map((e) => e.failure)
        .filter(Boolean)
        .map(String),
    ),
  ].sort();
  const chosen = select.value;
  if (chosen !== '' && chosen !== 'any' && chosen !== 'none' && !names.includes(chosen)) names.push(chosen);
  const current = [...select.options].slice(3).map((o) => o.value);
  if (current.join('\n') === names.join('\n')) return;
  select.replaceChildren(
    h('option', { value: '' }, 'with or without a failure'),
    h('option', { value: 'any' }, 'a failure applied'),
    h('option', { value: 'none' }, 'no failure'),
    ...names.map((name) => h('option', { value: name }, name)),
  );
  select.value = chosen;
}

function entryItem(entry, openBodies, summaryOf) {
  const id = String(entry.id);
  const details = h(
    'details',
    { class: 'entry-details', open: openBodies.has(id) },
    h(
      'summary',
      { class: 'entry-row', title: 'Show the request and its answer' },
      h('span', { class: 'cell-when when', title: String(entry.time) }, clock(new Date(entry.time))),
      h(
        'span',
        { class: 'cell-request request' },
        h('span', { class: 'method' }, String(entry.method)),
        ' ',
        h('span', { class: 'mono path' }, String(entry.path)),
        entry.client_id ? h('span', { class: 'mono id small' }, `→ ${entry.client_id}`) : null,
      ),
      h('span', { class: 'cell-status' }, statusBadge(entry.status)),
      h('span', { class: 'cell-ms num mono' }, Number(entry.ms).toFixed(1), h('span', { class: 'unit' }, ' ms')),
      h('span', { class: 'cell-failure' }, failurePill(entry, summaryOf)),
      h('span', { class: 'cell-preview mono' }, preview(entry)),
    ),
    exchange(entry, summaryOf),
  );
  details.addEventListener('toggle', () => {
    if (details.open) openBodies.add(id);
    else openBodies.delete(id);
  });
  return h(
    'li',
    { class: 'entry', dataset: { status: String(entry.status), failure: String(entry.failure ?? '') } },
    details,
  );
}

export function statusBadge(status) {
  const n = Number(status);
  const tone = n === 0 ? 'none' : n < 300 ? 'ok' : n < 500 ? 'warn' : 'error';
  return h(
    'span',
    { class: `badge badge-${tone}`, title: n === 0 ? 'the connection ended without an answer' : undefined },
    n === 0 ? 'no answer' : String(n),
  );
}

function failurePill({ failure, path }, summaryOf) {
  if (!failure) return h('span', { class: 'muted no-failure', title: 'no failure applied' }, '—');
  return h(
    'span',
    { class: 'pill pill-failure', title: summaryOf(failure, path) ?? 'failure applied' },
    String(failure),
  );
}

const oneLine = (body) => (typeof body === 'string' ? body : JSON.stringify(body));

function preview(entry) {
  const text = entry.body !== undefined ? oneLine(entry.body) : entry.query ? `?${entry.query}` : '';
  if (text === '') return h('span', { class: 'muted' }, '(no body)');
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

const pretty = (body) => (typeof body === 'string' ? body : JSON.stringify(body, null, 2));

/** What was sent and what came back, side by side (one under the other on a narrow screen). */
function exchange(entry, summaryOf) {
  const answer = entry.response;
  return h(
    'div',
    { class: 'exchange' },
    h(
      'section',
      { class: 'exchange-part exchange-request', 'aria-label': 'Request' },
      h('h3', null, 'Request'),
      h('p', { class: 'mono exchange-line' }, `${entry.method} ${entry.path}${entry.query ? `?${entry.query}` : ''}`),
      entry.grant_type ? h('p', { class: 'small muted' }, `grant_type ${entry.grant_type}`) : null,
      entry.body === undefined
        ? h('p', { class: 'small muted' }, 'No body.')
        : h('pre', { class: 'code request-body' }, pretty(entry.body) || '(empty)'),
    ),
    h(
      'section',
      { class: 'exchange-part exchange-answer', 'aria-label': 'Answer' },
      h('h3', null, 'Answer'),
      h(
        'p',
        { class: 'exchange-line' },
        statusBadge(entry.status),
        entry.failure
          ? h(
              'span',
              { class: 'exchange-failure' },
              ' failure applied: ',
              h('code', null, String(entry.failure)),
              summaryOf(entry.failure, entry.path) ? ` — ${summaryOf(entry.failure, entry.path)}` : '',
            )
          : h('span', { class: 'small muted' }, ' no failure applied'),
      ),
      answer === undefined
        ? h('p', { class: 'small muted' }, 'Not kept.')
        : Number(answer.status) === 0
          ? h('p', { class: 'small muted' }, 'The connection ended without an answer: no status, no headers, no body.')
          : [headersList(answer.headers), answerBody(answer.body)],
    ),
  );
}

function headersList(headers) {
  const rows = Object.entries(headers ?? {}).map(([name, value]) =>
    h(
      'div',
      null,
      h('dt', { class: 'mono' }, name),
      h('dd', { class: 'mono' }, Array.isArray(value) ? value.join(', ') : String(value)),
    ),
  );
  return rows.length === 0 ? null : h('dl', { class: 'headers', 'aria-label': 'Answer headers' }, rows);
}

function answerBody(body) {
  if (body === '' || body === undefined) return h('p', { class: 'small muted' }, 'No body.');
  return h('pre', { class: 'code answer-body' }, pretty(body));
}
