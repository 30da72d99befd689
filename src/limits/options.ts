import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { usageError } from '../errors.js';
import { show } from '../show.js';

/** A token bucket: `rate` tokens a second, at most `burst` at once. */
export interface RateLimit {
  readonly rate: number;
  readonly burst: number;
}

/** Auth0's published limit for the registration endpoint. */
export const AUTH0_RATE_LIMIT: RateLimit = Object.freeze({ rate: 5, burst: 5 });

/** "R", "R/BURST" or "auth0". R may be a fraction (0.5 = one every two seconds); BURST defaults to R, at least 1. */
export function parseRateLimit(v: unknown): RateLimit {
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  if (text === 'auth0') return AUTH0_RATE_LIMIT;
  const m = /^(\d+(?:\.\d+)?)(?:\/(\d+))?$/.exec(text);
  const rate = Number(m?.[1]);
  const burst = m?.[2] === undefined ? Math.max(1, Math.ceil(rate)) : Number(m[2]);
  if (m && rate > 0 && rate <= 1e6 && burst >= 1 && burst <= 1e6) return { rate, burst };
  throw usageError(
    `--rate-limit must be R[/BURST] (R requests a second, BURST at once, both above 0) or auth0, got ${show(v)}`,
  );
}

/** RFC 6750 §2.1 b64token: what a Bearer token may hold, so a token never needs escaping in a header. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Initial access tokens from every source: a token, `@FILE` (one token a line; blank lines and
 * `#` comments skipped), or several of either separated by commas (the form a
 * DCR_MOCK_INITIAL_ACCESS_TOKEN variable takes), or an array of them. A space inside one is refused,
 * not taken as a separator: `'a b'` is more likely a token pasted with a space than two tokens.
 */
export function readInitialAccessTokens(v: unknown): readonly string[] {
  if (v === undefined) return [];
  const items = [v].flat();
  const tokens: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') {
      throw usageError(`--initial-access-token must be a token or @FILE, got ${show(item)}`);
    }
    for (const word of item.split(',').map((w) => w.trim())) {
      if (word === '') continue;
      if (word.startsWith('@')) tokens.push(...readTokenFile(word.slice(1)));
      else if (/\s/.test(word)) {
        throw usageError(
          `--initial-access-token must be a token without spaces, got ${JSON.stringify(word.slice(0, 40))}; give several with commas (a,b) or by repeating the option`,
        );
      } else tokens.push(checkToken(word, '--initial-access-token'));
    }
  }
  if (items.length > 0 && tokens.length === 0) throw usageError('--initial-access-token must give at least one token');
  return Object.freeze([...new Set(tokens)]);
}

function readTokenFile(path: string): string[] {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(
      `--initial-access-token @${path}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  const tokens = lines.flatMap((line, i) =>
    line === '' || line.startsWith('#') ? [] : [checkToken(line, `--initial-access-token @${path}, line ${i + 1}`)],
  );
  if (tokens.length === 0) throw usageError(`--initial-access-token @${path}: ${file} holds no token`);
  return tokens;
}

function checkToken(token: string, where: string): string {
  if (B64TOKEN.test(token)) return token;
  throw usageError(
    `${where} must be a Bearer token (letters, digits and -._~+/ then any =), got ${JSON.stringify(token.slice(0, 40))}`,
  );
}
