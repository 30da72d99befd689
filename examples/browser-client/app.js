// A browser client that registers itself (OpenID Connect Dynamic Client Registration, RFC 7591)
// and tells the person at the screen what went wrong when it does not work.

const REQUEST_TIMEOUT_MS = 10_000;
const $ = (id) => document.getElementById(id);

const params = new URLSearchParams(location.search);
$('issuer').value = params.get('issuer') ?? 'http://127.0.0.1:4000/';
$('redirect-uri').value = params.get('redirect_uri') ?? `${location.origin}/callback`;
$('register-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void register();
});

async function register() {
  const button = $('register');
  button.disabled = true;
  show('working', 'Registering…', '');
  try {
    const issuer = $('issuer').value.trim().replace(/\/?$/, '/');
    const discovery = await call(`${issuer}.well-known/openid-configuration`, { headers: { accept: 'application/json' } });
    if (!discovery.response.ok || typeof discovery.json?.registration_endpoint !== 'string') {
      return show('bad-response', `Discovery failed (${discovery.response.status})`,
        `${issuer} did not answer with a discovery document that names a registration_endpoint.`);
    }
    const metadata = {
      client_name: $('client-name').value,
      redirect_uris: [$('redirect-uri').value],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: $('auth-method').value,
    };
    const { response, json, text } = await call(discovery.json.registration_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(metadata),
    });
    const outcome = explain(response, json, text);
    show(outcome.kind, outcome.title, outcome.detail, outcome.client);
  } catch (err) {
    const outcome = explainThrown(err);
    show(outcome.kind, outcome.title, outcome.detail);
  } finally {
    button.disabled = false;
  }
}

/** fetch, with a time limit, and the body read as text (and as JSON when it is). */
async function call(url, init) {
  let response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (err) {
    throw Object.assign(err instanceof Error ? err : new Error(String(err)), { url });
  }
  const text = await response.text().catch((err) => {
    throw Object.assign(err instanceof Error ? err : new Error(String(err)), { url, cutOff: true });
  });
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { response, json, text };
}

/** What an HTTP answer means for the person who pressed Register. */
function explain(response, json, text) {
  const { status } = response;
  const header = (name) => response.headers.get(name);
  if (status === 200 || status === 201) {
    if (json === undefined) {
      return { kind: 'bad-response', title: `Unreadable answer (${status})`, detail: `The server said it registered the client but its body is not JSON: ${clip(text)}` };
    }
    if (typeof json.client_id !== 'string' || json.client_id === '') {
      return { kind: 'bad-response', title: `Invalid answer (${status})`, detail: 'The server answered without a client_id, so there is nothing to sign in with.' };
    }
    return { kind: 'registered', title: 'Registered', detail: `The server issued client ${json.client_id}.`, client: json };
  }
  // RFC 7591 errors are {error, error_description}; Auth0's own are {statusCode, error, message, errorCode?}.
  const auth0 = typeof json?.statusCode === 'number';
  const code = auth0 ? json.errorCode : json?.error;
  const says = (auth0 ? json.message : json?.error_description) ?? (json === undefined ? clip(text) : '');
  if (status === 429) {
    const wait = retryAfter(header('retry-after')) ?? resetIn(header('x-ratelimit-reset'));
    return {
      kind: 'rate-limited',
      title: `Rate limited (429${code ? ` ${code}` : ''})`,
      detail: `Too many registrations. ${wait === undefined ? 'Try again later.' : `Retry after ${wait} s.`}`,
    };
  }
  if (status === 401) {
    return {
      kind: 'unauthorized',
      title: `Unauthorized (401${code ? ` ${code}` : ''})`,
      detail: `The server wants a valid initial access token for registration. ${header('www-authenticate') ?? ''}`.trim(),
    };
  }
  if (status === 403) {
    return { kind: 'refused', title: `Forbidden (403${code ? ` ${code}` : ''})`, detail: says || 'The server refuses to register more clients.' };
  }
  if (status >= 400 && status < 500) {
    const hint = HINTS[code] ?? '';
    return { kind: 'refused', title: `Registration refused (${status}${code ? ` ${code}` : ''})`, detail: [says, hint].filter(Boolean).join(' ') };
  }
  if (status >= 500) {
    const wait = retryAfter(header('retry-after'));
    return {
      kind: 'server-error',
      title: `Server error (${status})`,
      detail: `The authorization server failed; this is not the client's fault. ${wait === undefined ? 'Try again later.' : `Retry after ${wait} s.`}`,
    };
  }
  return { kind: 'bad-response', title: `Unexpected answer (${status})`, detail: clip(text) };
}

const HINTS = {
  invalid_redirect_uri: 'Check the redirect URI: an absolute URI, without a fragment or a wildcard.',
  invalid_client_metadata: 'Check the client metadata sent.',
};

function explainThrown(err) {
  const where = err?.url ? ` to ${err.url}` : '';
  if (err?.name === 'TimeoutError') {
    return { kind: 'network-error', title: 'No answer', detail: `The request${where} got no answer within ${REQUEST_TIMEOUT_MS / 1000} s.` };
  }
  if (err?.cutOff) {
    return { kind: 'network-error', title: 'Network failure', detail: `The answer${where} was cut off before its end.` };
  }
  return {
    kind: 'network-error',
    title: 'Network failure',
    detail: `The request${where} did not complete: the connection was refused, reset or blocked. Is the server running?`,
  };
}

function retryAfter(value) {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function resetIn(value) {
  const at = Number(value);
  return value === null || !Number.isFinite(at) ? undefined : Math.max(0, Math.ceil(at - Date.now() / 1000));
}

const clip = (text) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

/** Everything shown goes in as text, never as markup. */
function show(kind, title, detail, client) {
  $('result').dataset.outcome = kind;
  $('result-title').textContent = title;
  $('result-detail').textContent = detail;
  $('credentials').hidden = !client;
  if (!client) return;
  $('client-id').textContent = client.client_id;
  $('client-secret').textContent = client.client_secret ?? '(none: a public client)';
  $('redirect-uris').textContent = (client.redirect_uris ?? []).join(', ');
  $('grant-types').textContent = (client.grant_types ?? []).join(', ');
}
