import { readFileSync } from 'node:fs';

// How docs/client-checks.md tells one library's error from another's.

/** Error codes that only repeat the class's name. */
const IMPLIED_CODES = new Set(['OAUTH_RESPONSE_BODY_ERROR', 'OAUTH_WWW_AUTHENTICATE_CHALLENGE']);

/** The error as a caller tells it apart: its class, and the one property that says what went wrong. */
export function described(error: unknown): string {
  const e = error as Record<string, unknown> & { constructor: { name: string } };
  const name = `\`${e.constructor.name}\``;
  const cause = e['cause'] as Record<string, unknown> | undefined;
  if (typeof e['error'] === 'string') return `${name}, \`error\`: \`${e['error']}\``;
  if (typeof e['errorCode'] === 'string') {
    return `${name}, \`errorCode\`: \`${e['errorCode']}\`${e['message'] === '' ? ', empty message' : ''}`;
  }
  if (Array.isArray(cause)) {
    const challenge = (cause[0] as { parameters?: { error?: string } } | undefined)?.parameters?.error;
    if (challenge) return `${name}, challenge \`error\`: \`${challenge}\``;
  }
  if (typeof e['code'] === 'string' && !IMPLIED_CODES.has(e['code'])) return `${name}, \`${e['code']}\``;
  if (Array.isArray(e['issues'])) {
    const paths = (e['issues'] as Array<{ path: unknown[] }>).map((issue) => issue.path.join('.'));
    return `${name} on \`${[...new Set(paths)].join('`, `')}\``;
  }
  if (cause && typeof cause['code'] === 'string')
    return `${name} "${String(e['message'])}", cause \`${cause['code']}\``;
  return name;
}

/** The OAuth error code an error carries: the body's `error`, the MCP SDK's `errorCode`, or the challenge's. */
export function errorCodeOf(error: unknown): string | undefined {
  const e = error as Record<string, unknown>;
  if (typeof e['error'] === 'string') return e['error'];
  if (typeof e['errorCode'] === 'string') return e['errorCode'];
  const cause = e['cause'];
  return Array.isArray(cause) ? (cause[0] as { parameters?: { error?: string } }).parameters?.error : undefined;
}

/** The installed version of a package. */
export const versionOf = (pkg: string): string =>
  (
    JSON.parse(readFileSync(new URL(`../../node_modules/${pkg}/package.json`, import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;

export const inCell = (text: string) => text.replace(/\|/g, '\\|');
