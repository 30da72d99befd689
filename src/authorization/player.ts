import { InvalidRequest } from './errors.js';
import type { Users } from './users.js';

/** How `authorize(url)` answers for the user when a page is shown. */
export interface PlayOptions {
  /** accept (default) or decline, on the consent page. */
  readonly decision?: 'accept' | 'decline' | undefined;
  /**
   * The user to log in as, a sub or an email, in every login mode (it goes in the URL as `login_hint`);
   * default the one the URL's `login_hint` names, else the first the login page lists (the default user).
   */
  readonly user?: string | undefined;
}

/** Pages followed at most: login, then consent. */
const MAX_PAGES = 3;

/** A value as the pages write it: escapeHtml's numeric character references undone. */
const fromHtml = (value: string): string => value.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c)));

const field = (html: string, name: string): string | undefined => {
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  return value === undefined ? undefined : fromHtml(value);
};

/**
 * The URL with the user asked for named in `login_hint`, so that every login mode answers as that user
 * (`auto` shows no page to pick one on). Throws for a user the server does not know, and for one the URL's
 * own `login_hint` contradicts.
 */
function naming(target: URL, wanted: string | undefined, users: Users): URL {
  if (wanted === undefined) return target;
  const user = users.byLoginHint(wanted);
  if (!user) {
    const known = users.list.map((u) => String(u['email'] ?? u.sub)).join(', ');
    throw new InvalidRequest(
      `user must be the sub or email of one of this server's users (${known}), got ${JSON.stringify(wanted)}`,
    );
  }
  const hint = target.searchParams.get('login_hint');
  if (hint === null) {
    const named = new URL(target);
    named.searchParams.set('login_hint', user.sub);
    return named;
  }
  if (users.byLoginHint(hint)?.sub !== user.sub) {
    throw new InvalidRequest(
      `user must name the user the url's login_hint names, or be left out: user is ${JSON.stringify(wanted)}, login_hint ${JSON.stringify(hint)}`,
    );
  }
  return target;
}

/**
 * Plays the user of an authorization URL headlessly against the server at `origin`: follows /authorize,
 * answers its login and consent pages as asked, and returns the redirect to the client (with its code,
 * or its error). Refuses a URL whose answer is neither a redirect nor one of dcr-mock's pages.
 */
export async function playUser(
  url: string,
  origin: string,
  users: Users,
  options: PlayOptions = {},
  base = '',
): Promise<string> {
  let target: URL;
  try {
    target = new URL(url, origin);
  } catch {
    throw new InvalidRequest(`url must be an authorization URL, got ${JSON.stringify(url)}`);
  }
  if (target.pathname !== `${base}/authorize`) {
    throw new InvalidRequest(`url must be this server's ${base}/authorize URL, got one for ${target.pathname}`);
  }
  target = naming(target, options.user, users);
  let response = await fetch(new URL(target.pathname + target.search, origin), { redirect: 'manual' });
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) return location;
    const html = await response.text();
    const transaction = field(html, 'transaction');
    if (response.status !== 200 || transaction === undefined) {
      throw new InvalidRequest(
        `url must lead to a redirect; /authorize answered ${response.status}: ${html
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim()
          .slice(0, 300)}`,
      );
    }
    const form = new URLSearchParams({ transaction });
    let path: string;
    if (html.includes(`action="${base}/u/login"`)) {
      // No user was asked for (one asked for is in login_hint, which skips this page): the first listed.
      path = `${base}/u/login`;
      const first = field(html, 'user');
      if (first === undefined) throw new InvalidRequest('url must lead to a login page that lists a user');
      form.set('user', first);
    } else {
      path = `${base}/u/consent`;
      form.set('decision', options.decision ?? 'accept');
    }
    response = await fetch(new URL(path, origin), { method: 'POST', body: form, redirect: 'manual' });
  }
  throw new InvalidRequest(`url must lead to a redirect within ${MAX_PAGES} pages`);
}
