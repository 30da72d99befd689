// The form that adds a failure rule: an endpoint, one of that endpoint's modes, and the rule's terms. The
// catalogue of modes beside it follows the endpoint chosen. As in render.js, text nodes only.

import { $, drawModes, h } from './render.js';

/** The endpoint a rule is for when it names none. */
const DEFAULT_ENDPOINT = 'registration';
/** The endpoints whose rules may match on client_name (the others match on a header only). */
const CLIENT_NAME_ENDPOINTS = new Set([DEFAULT_ENDPOINT]);
const TERMS = ['rule-times', 'rule-after', 'rule-rate', 'rule-ms', 'rule-client-name'];

/** GET /__dcr/failures's `endpoints`: each endpoint's modes, with their group and what they do. */
let catalogue = {};

export function setCatalogue(endpoints) {
  catalogue = endpoints;
  fillEndpointSelect();
}

/** What `mode` does, as `endpoint`'s catalogue says it; without an endpoint, the first that has the mode. */
export function modeSummary(mode, endpoint) {
  const lists = endpoint === undefined ? Object.values(catalogue) : [modesOf(endpoint), ...Object.values(catalogue)];
  for (const modes of lists) {
    const found = modes.find((m) => m.mode === mode);
    if (found) return String(found.summary);
  }
  return undefined;
}

export function wireRuleForm() {
  $('rule-mode').addEventListener('change', showModeSummary);
  $('rule-endpoint').addEventListener('change', showEndpoint);
}

export function clearRuleForm() {
  for (const id of TERMS) $(id).value = '';
}

/** The endpoints a rule may name, registration first; the modes and the catalogue follow the one chosen. */
function fillEndpointSelect() {
  const select = $('rule-endpoint');
  const chosen = select.value || DEFAULT_ENDPOINT;
  const names = Object.keys(catalogue);
  select.replaceChildren(...names.map((name) => h('option', { value: name }, name)));
  select.value = names.includes(chosen) ? chosen : DEFAULT_ENDPOINT;
  showEndpoint();
}

function modesOf(endpoint) {
  return catalogue[endpoint] ?? [];
}

function showEndpoint() {
  const endpoint = $('rule-endpoint').value;
  const modes = modesOf(endpoint);
  const select = $('rule-mode');
  const chosen = select.value;
  const groups = new Map();
  for (const m of modes) {
    if (!groups.has(m.group)) groups.set(m.group, h('optgroup', { label: String(m.group) }));
    groups.get(m.group).append(h('option', { value: String(m.mode) }, String(m.mode)));
  }
  select.replaceChildren(...groups.values());
  if (chosen && modes.some((m) => m.mode === chosen)) select.value = chosen;
  $('rule-client-name-field').hidden = !CLIENT_NAME_ENDPOINTS.has(endpoint);
  $('modes-endpoint').textContent = endpoint;
  drawModes(modes, chooseMode);
  showModeSummary();
}

function chooseMode(mode) {
  $('rule-mode').value = mode;
  showModeSummary();
  $('rule-mode').focus();
}

function showModeSummary() {
  const m = modesOf($('rule-endpoint').value).find((x) => x.mode === $('rule-mode').value);
  $('rule-mode-summary').textContent = m ? `Client receives: ${m.summary}` : '';
}

export function ruleFromForm() {
  const endpoint = $('rule-endpoint').value;
  const rule =
    endpoint && endpoint !== DEFAULT_ENDPOINT
      ? { endpoint, mode: $('rule-mode').value }
      : { mode: $('rule-mode').value };
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
  if (name !== '' && CLIENT_NAME_ENDPOINTS.has(endpoint || DEFAULT_ENDPOINT)) rule.match = { client_name: name };
  return rule;
}
