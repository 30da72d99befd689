/** One call to the control plane (or any route), JSON in and out. */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
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
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
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
