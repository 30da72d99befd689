import { type Reply as HttpReply, toReply } from './http.js';

/** One call to the control plane (or any route); `json` loosely typed, as these tests read many shapes. */
export interface Reply extends Omit<HttpReply, 'json'> {
  // biome-ignore lint/suspicious/noExplicitAny: the tests index into many response shapes
  json: any;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Send `body` (a string) as text/plain instead of JSON. */
  plain?: boolean;
}

export async function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const { body, headers = {}, plain = false } = options;
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = plain ? String(body) : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = plain ? 'text/plain' : 'application/json';
  }
  return (await toReply(await fetch(`${base}${path}`, init))) as Reply;
}

/** The control plane of a server at `base`, with an optional admin token. */
export function controlPlane(base: string, token?: string) {
  const auth: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const at = (method: string, path: string, options: CallOptions = {}) =>
    call(base, method, `/__dcr/${path}`, { ...options, headers: { ...auth, ...options.headers } });
  return {
    at,
    addRule: (rule: unknown, plain = false) => at('POST', 'failures', { body: rule, plain }),
    rules: async () => (await at('GET', 'failures')).json.rules as Array<Record<string, unknown>>,
    reset: () => at('POST', 'reset'),
  };
}
