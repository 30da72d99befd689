import type { IncomingMessage } from 'node:http';
import { IncompleteBody, PayloadTooLarge } from '../errors.js';
import type { Exchange } from './exchange.js';

export const MAX_BODY_BYTES = 64 * 1024;

/** An endpoint's `read` step: the body as text, in the endpoint's state and in the journal's entry. */
export function readStep(ex: Exchange, s: { text: string }): Promise<undefined> {
  return readBody(ex.req).then((text) => {
    s.text = text;
    ex.text = text;
    return undefined;
  });
}

/** Reads a request body up to `limit` bytes; past it, a 413 without reading the rest into memory. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new PayloadTooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.removeAllListeners('data');
        req.resume();
        reject(new PayloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    // A request stream errs when its client goes away mid-body ("aborted"): not a server fault, nothing to log.
    req.on('error', () => reject(new IncompleteBody()));
  });
}

/** The encodings an endpoint takes: registration JSON only; the token endpoint both, as Auth0. */
export type BodyEncoding = 'json' | 'form';

/** A body parsed, or not (what it should have been is the endpoint's to say). */
export type ParsedBody =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly value: undefined };

const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/**
 * Parses a body by its Content-Type among the encodings the endpoint takes. A form becomes an object
 * of strings (a repeated parameter: an array of them, for the endpoint to refuse); anything else is
 * read as JSON, as Auth0 reads a body that does not say what it is.
 */
export function parseBody(
  text: string,
  contentType: string | undefined,
  encodings: readonly BodyEncoding[] = ['json'],
): ParsedBody {
  if (encodings.includes('form') && FORM_TYPE.test(contentType ?? '')) return { ok: true, value: parseForm(text) };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, value: undefined };
  }
}

function parseForm(text: string): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(text)) {
    const seen = form[name];
    form[name] = seen === undefined ? value : [seen, value].flat();
  }
  return form;
}
