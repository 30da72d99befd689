import { InvalidRequest } from './errors.js';

/** How `authorize(url)` answers for the user when a page is shown. */
export interface PlayOptions {
  /** accept (default) or decline, on the consent page. */
  readonly decision?: 'accept' | 'decline' | undefined;
  /** The user to pick on the login page: a sub, or an email; default the first listed. */
  readonly user?: string | undefined;
}

/** Pages followed at most: login, then consent. */
const MAX_PAGES = 3;

const field = (html: string, name: string): string | undefined =>
  new RegExp(`name="${name}" value="([^"]*)"`)
    .exec(html)?.[1]
    ?.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c)));

/**
 * Plays the user of an authorization URL headlessly against the server at `origin`: follows /authorize,
 * answers its login and consent pages as asked, and returns the redirect to the client (with its code,
 * or its error). Refuses a URL whose answer is neither a redirect nor one of dcr-mock's pages.
 */
export async function playUser(url: string, origin: string, options: PlayOptions = {}): Promise<string> {
  let target: URL;
  try {
    target = new URL(url, origin);
  } catch {
    throw new InvalidRequest(`url must be an authorization URL, got ${JSON.stringify(url)}`);
  }
  if (target.pathname !== '/authorize') {
    throw new InvalidRequest(`url must be this server's /authorize URL, got one for ${target.pathname}`);
  }
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
    if (html.includes('action="/u/login"')) {
      path = '/u/login';
      const subs = [...html.matchAll(/name="user" value="([^"]*)"/g)].map((m) =>
        m[1]!.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))),
      );
      const wanted = options.user;
      const labelled =
        wanted === undefined
          ? undefined
          : [...html.matchAll(/value="([^"]*)">Continue as ([^<]*)</g)].find((m) => m[2] === wanted)?.[1];
      const sub = wanted === undefined ? subs[0] : subs.includes(wanted) ? wanted : labelled;
      if (sub === undefined)
        throw new InvalidRequest(`user must be one of the users the login page lists, got ${JSON.stringify(wanted)}`);
      form.set(
        'user',
        sub.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))),
      );
    } else {
      path = '/u/consent';
      form.set('decision', options.decision ?? 'accept');
    }
    response = await fetch(new URL(path, origin), { method: 'POST', body: form, redirect: 'manual' });
  }
  throw new InvalidRequest(`url must lead to a redirect within ${MAX_PAGES} pages`);
}
