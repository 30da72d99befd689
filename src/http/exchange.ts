import type { IncomingMessage, ServerResponse } from 'node:http';
import { OAuthError } from '../errors.js';
import type { Answer } from './answer.js';
import { sendError, writeAnswer } from './respond.js';

/** One request in flight: what the handlers learn about it ends up in its journal entry and log line. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The request body as received, once read (the journal shows it). */
  text?: string;
  /** The failure modes applied, if any, as the journal shows them. */
  failure?: string | undefined;
  /** The client the request was about, if any. */
  clientId?: string;
  /** The grant a token request asked for, for the journal. */
  grantType?: string;
}

export type Handler = (exchange: Exchange) => Promise<void> | void;

/** Returned by a step that has taken care of the response itself (a network fault, a client gone). */
export const ENDED = Symbol('the response is taken care of');

/**
 * One named step of an endpoint. It reads what earlier steps left in `state` and adds its own; it
 * ends the exchange by returning an Answer (written by the one writer) or ENDED, or by throwing an
 * OAuthError. Returning nothing passes on to the next step.
 */
export type Step<S> = (ex: Exchange, state: S) => StepResult | Promise<StepResult>;
export type StepResult = Answer | typeof ENDED | undefined;

/**
 * An endpoint as a list of named steps (read body → parse → … → respond), run in order. A step that
 * returns synchronously costs no turn of the event loop. An error that carries a `failure` (a limit's
 * refusal) names it in the journal. `settle`, if given, runs once the steps are done, however they ended.
 */
export function pipeline<S>(
  state: () => S,
  steps: readonly Step<S>[],
  settle?: (ex: Exchange, state: S) => void,
): Handler {
  return async (ex) => {
    const s = state();
    try {
      for (const step of steps) {
        let result = step(ex, s);
        if (result instanceof Promise) result = await result;
        if (result === ENDED) return;
        if (result !== undefined) return writeAnswer(ex.res, result);
      }
    } catch (err) {
      if (err instanceof OAuthError && err.failure !== undefined) ex.failure = err.failure;
      throw err;
    } finally {
      settle?.(ex, s);
    }
  };
}

/** The exchange for a request: its path and query split once, at the first "?". */
export function exchangeOf(req: IncomingMessage, res: ServerResponse): Exchange {
  // An absolute-form request line (`POST http://host/oidc/register`, as a client speaking to a proxy sends
  // it; RFC 9112 §3.2.2) is routed by its path, json-server's routes included.
  if (req.url !== undefined && !req.url.startsWith('/')) req.url = originForm(req.url);
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  // Only the first "?" starts the query; later ones belong to it (a pattern such as /^a?b$/).
  const path = q === -1 ? url : url.slice(0, q);
  return { req, res, path, query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)) };
}

function originForm(url: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  if (!authority) return url;
  const rest = url.slice(authority[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/**
 * Runs a handler; whatever it throws is answered in its wire format (an unexpected error as a
 * server_error, reported through `onUnexpected`).
 */
export function run(handler: Handler, ex: Exchange, onUnexpected: (err: unknown, ex: Exchange) => void): void {
  const fail = (err: unknown) => {
    if (!(err instanceof OAuthError)) onUnexpected(err, ex);
    sendError(ex.res, err);
  };
  try {
    const done = handler(ex);
    if (done) done.catch(fail);
  } catch (err) {
    fail(err);
  }
}
