/** A complete HTTP answer: what every endpoint, error and injected failure comes down to before it is written. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

const JSON_TYPE = 'application/json; charset=utf-8';

/** The headers of a JSON answer that must not be cached: every error and every registration. */
export const JSON_NO_STORE = { 'content-type': JSON_TYPE, ...NO_STORE } as const;

export function jsonAnswer(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Answer {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: JSON.stringify(body) };
}

export function htmlAnswer(status: number, html: string, headers: Readonly<Record<string, string>> = {}): Answer {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body: html };
}
