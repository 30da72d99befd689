import type { IncomingMessage } from 'node:http';
import { Forbidden, UnsupportedMediaType, usageError } from '../errors.js';
import { show } from '../show.js';

/**
 * Who may reach the routes that show every secret and change the store (the control plane,
 * json-server's routes) from a browser. Without an admin token, a page on any site could otherwise
 * read them and, with a `text/plain` POST that needs no preflight, change them; and a name that an
 * attacker points at 127.0.0.1 (DNS rebinding) would make that page same-origin. So:
 *
 * - the Host must be a loopback name or the issuer's host;
 * - an Origin, when there is one, must be the server's own, a loopback origin, or one given by `--cors-origin`;
 * - a request from another origin that carries a body must say `Content-Type: application/json`, so that
 *   a browser asks first (a CORS preflight) and a plain HTML form cannot send it.
 *
 * Requests without an Origin (curl, Node, a test runner) are not a browser's cross-origin requests and
 * keep every content type, `text/plain` spec strings included.
 */
export class OriginPolicy {
  readonly #corsOrigins: ReadonlySet<string>;
  readonly #issuer: () => string;

  constructor(options: { readonly corsOrigins: readonly string[]; readonly issuer: () => string }) {
    this.#corsOrigins = new Set(options.corsOrigins);
    this.#issuer = options.issuer;
  }

  /** Why this request may not reach a guarded route, or undefined when it may. */
  refusal(req: IncomingMessage): Forbidden | UnsupportedMediaType | undefined {
    const host = req.headers.host;
    const issuerHost = URL.parse(this.#issuer())?.hostname ?? '';
    if (host !== undefined) {
      const hostname = URL.parse(`http://${host}`)?.hostname;
      if (hostname === undefined || !(isLoopbackName(hostname) || hostname === issuerHost)) {
        return new Forbidden(
          `Host must be a loopback name (localhost, 127.0.0.1, [::1]) or the issuer's host (${issuerHost}), got ${show(host)}; reach dcr-mock by one of them, or set --issuer to the URL you use`,
        );
      }
    }
    const origin = req.headers.origin;
    if (origin === undefined || this.#sameOrigin(origin, host)) return undefined;
    if (!this.#corsOrigins.has(origin) && !isLoopbackOrigin(origin)) {
      return new Forbidden(
        `Origin must be a loopback origin (such as http://localhost:3000) or one given by --cors-origin, got ${show(origin)}`,
      );
    }
    if (BODY_METHODS.has(req.method ?? '') && !JSON_TYPE.test(req.headers['content-type'] ?? '')) {
      return new UnsupportedMediaType(
        `content-type must be application/json on a ${req.method} from another origin (${origin}), got ${show(req.headers['content-type'] ?? null)}`,
      );
    }
    return undefined;
  }

  /** The page's own origin: the inspector, or a page dcr-mock's host serves (the Host has been checked). */
  #sameOrigin(origin: string, host: string | undefined): boolean {
    const url = URL.parse(origin);
    return host !== undefined && url !== null && url.host === host.toLowerCase();
  }
}

/** The methods whose requests carry a body that changes the store. */
const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** localhost and its subdomains (RFC 6761), 127.0.0.0/8, ::1 and its IPv4-mapped forms, as URL writes them. */
export function isLoopbackName(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
    h === '[::1]' ||
    /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(h)
  );
}

function isLoopbackOrigin(origin: string): boolean {
  const url = URL.parse(origin);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackName(url.hostname);
}

/**
 * `--cors-origin`: origins (`https://app.example.com`, `http://10.0.0.5:8080`) whose pages may use the
 * control plane and json-server's routes, besides loopback ones. Several by repeating it or separated by
 * commas or spaces (the form a DCR_MOCK_CORS_ORIGIN variable takes), or an array.
 */
export function parseCorsOrigins(v: unknown): readonly string[] {
  if (v === undefined) return [];
  const origins: string[] = [];
  for (const item of [v].flat()) {
    if (typeof item !== 'string') throw usageError(`--cors-origin must be an origin, got ${show(item)}`);
    for (const word of item.split(/[\s,]+/).filter(Boolean)) {
      const url = URL.parse(word);
      const bare = url !== null && (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash;
      if (!url || !(url.protocol === 'http:' || url.protocol === 'https:') || !bare || url.username || url.password) {
        throw usageError(
          `--cors-origin must be an origin such as https://app.example.com (scheme, host and port only), got ${show(word)}`,
        );
      }
      origins.push(url.origin);
    }
  }
  return Object.freeze([...new Set(origins)]);
}
