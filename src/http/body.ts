import type { IncomingMessage } from 'node:http';
import { IncompleteBody, PayloadTooLarge } from '../errors.js';

export const MAX_BODY_BYTES = 64 * 1024;

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
