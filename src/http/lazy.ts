import type { Handler } from './exchange.js';

/**
 * A route whose handler is made on its first request, so that the modules behind it load then and
 * not at start (bench/NOTES.md: a start that serves only registrations skips them). Requests that come
 * while it loads wait for the same one; a load that fails is tried again by the next request.
 */
export function lazyHandler(make: () => Promise<Handler>): Handler {
  let handler: Handler | undefined;
  let making: Promise<Handler> | undefined;
  return (ex) => {
    if (handler) return handler(ex);
    making ??= make().then(
      (made) => (handler = made),
      (err: unknown) => {
        making = undefined;
        throw err;
      },
    );
    return making.then((made) => made(ex));
  };
}
