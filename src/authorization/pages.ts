import { type Answer, NO_STORE, htmlAnswer } from '../http/answer.js';
import { escapeHtml } from '../failures/authorization-modes.js';
import type { AuthorizationRequest } from './authorize.js';
import type { User } from './users.js';

/** Where the pages' forms post, under the issuer's path. */
export const LOGIN_PATH = '/u/login';
export const CONSENT_PATH = '/u/consent';

// Readable and tappable on a phone: buttons at least 44 px tall, long names and URLs wrapped, not overflowing.
const STYLE = `body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem;color:#1e212a;overflow-wrap:anywhere}
h1{font-size:1.4rem}ul{padding-left:1.2rem}button{display:block;width:100%;min-height:2.75rem;margin:.5rem 0;padding:.7rem;font-size:1rem;border-radius:.4rem;border:1px solid #635dff;background:#fff;color:#635dff;cursor:pointer}
button.primary{background:#635dff;color:#fff}button:focus-visible{outline:3px solid #1e212a;outline-offset:2px}.note{color:#65676e;font-size:.85rem}`;

/** A page of its own: no favicon fetched (the icon is inline), nothing loaded from elsewhere, never framed. */
function page(title: string, body: string, status = 200): Answer {
  return htmlAnswer(
    status,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`,
    { ...NO_STORE, 'x-frame-options': 'DENY' },
  );
}

const who = (user: User): string => String(user['email'] ?? user['name'] ?? user.sub);

/** Auth0's consent page: the application, the user, the scopes asked for, Accept and Decline. */
export function consentPage(request: AuthorizationRequest, user: User, transaction: string, base = ''): Answer {
  const scopes = request.scope.map((s) => `<li>${escapeHtml(s)}</li>`).join('');
  const audience = request.audience ? `<p>API: <code>${escapeHtml(request.audience)}</code></p>` : '';
  return page(
    `Authorize ${request.client.name}`,
    `<h1>Authorize ${escapeHtml(request.client.name)}</h1>
<p>Hi ${escapeHtml(who(user))}, <strong>${escapeHtml(request.client.name)}</strong> is requesting access to your account.</p>
${scopes === '' ? '<p>No scopes were requested.</p>' : `<p>Scopes:</p><ul aria-label="Scopes">${scopes}</ul>`}${audience}
<form method="post" action="${base}${CONSENT_PATH}"><input type="hidden" name="transaction" value="${escapeHtml(transaction)}">
<button class="primary" type="submit" name="decision" value="accept">Accept</button>
<button type="submit" name="decision" value="decline">Decline</button></form>
<p class="note">dcr-mock: a local emulation; nothing here is a real login.</p>`,
  );
}

/** A login page with no passwords: the users this server knows, one button each. */
export function loginPage(
  request: AuthorizationRequest,
  users: readonly User[],
  transaction: string,
  base = '',
): Answer {
  const buttons = users
    .map(
      (user, i) =>
        `<button${i === 0 ? ' class="primary"' : ''} type="submit" name="user" value="${escapeHtml(user.sub)}">Continue as ${escapeHtml(who(user))}</button>`,
    )
    .join('\n');
  return page(
    `Log in to ${request.client.name}`,
    `<h1>Log in</h1><p>to continue to <strong>${escapeHtml(request.client.name)}</strong></p>
<form method="post" action="${base}${LOGIN_PATH}"><input type="hidden" name="transaction" value="${escapeHtml(transaction)}">
${buttons}</form>
<p class="note">dcr-mock: pick a user; there are no passwords.</p>`,
  );
}

/** What /authorize shows instead of redirecting (a wrong client or redirect URI), as Auth0 shows an error page. */
export function errorPage(error: string, description: string): Answer {
  return page(
    'Error',
    `<h1>Oops!, something went wrong</h1><p><code>${escapeHtml(error)}</code>: ${escapeHtml(description)}</p><p class="note">dcr-mock did not redirect: the client or its redirect_uri is not one it may send an answer to.</p>`,
    400,
  );
}
