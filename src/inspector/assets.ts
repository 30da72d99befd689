import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import type { Handler } from '../http/exchange.js';
import { writeHead } from '../http/respond.js';
import { DIST_DIR } from '../dist-dir.js';

/** Where the page's own script and stylesheet are served; outside /__dcr/ so no admin token is needed to load them. */
export const ASSET_PREFIX = '/__inspector/';

interface Asset {
  readonly file: string;
  readonly type: string;
}

/**
 * The inspector's files, by the exact path they answer. A fixed table, not a folder: no path a client sends
 * is ever joined to a directory, so `..`, `%2e%2e` or `%2f` can only miss it and fall through to a 404.
 */
const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ['/', { file: 'index.html', type: 'text/html; charset=utf-8' }],
  [`${ASSET_PREFIX}inspector.css`, { file: 'inspector.css', type: 'text/css; charset=utf-8' }],
  [`${ASSET_PREFIX}inspector.js`, { file: 'inspector.js', type: 'text/javascript; charset=utf-8' }],
  [`${ASSET_PREFIX}render.js`, { file: 'render.js', type: 'text/javascript; charset=utf-8' }],
  [`${ASSET_PREFIX}render-journal.js`, { file: 'render-journal.js', type: 'text/javascript; charset=utf-8' }],
  [`${ASSET_PREFIX}rule-form.js`, { file: 'rule-form.js', type: 'text/javascript; charset=utf-8' }],
  [
    `${ASSET_PREFIX}render-authorization.js`,
    { file: 'render-authorization.js', type: 'text/javascript; charset=utf-8' },
  ],
]);

/**
 * The page builds its DOM from text nodes only; the policy is a second fence should that ever slip:
 * no inline script, nothing from another origin, no framing.
 */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

// The files sit beside this module in src/inspector/ and, copied by the build, in dist/inspector/.
const FOLDER = new URL('inspector/', DIST_DIR);
const cache = new Map<string, Promise<Buffer>>();
const load = (file: string): Promise<Buffer> => {
  let text = cache.get(file);
  if (!text) {
    text = readFile(new URL(file, FOLDER));
    text.catch(() => cache.delete(file));
    cache.set(file, text);
  }
  return text;
};

/** `GET` routes of the inspector, keyed like app.ts's own table ("GET /"). */
export function inspectorRoutes(): Array<[string, Handler]> {
  return [...ASSETS].map(([path, asset]) => [`GET ${path}`, (ex) => sendAsset(ex.res, asset)]);
}

async function sendAsset(res: ServerResponse, asset: Asset): Promise<void> {
  let body: Buffer;
  try {
    body = await load(asset.file);
  } catch (err) {
    const why = `[dcr-mock] Failed to read the inspector file ${asset.file}: ${(err as Error).message}. Run npm run build, which copies src/inspector/ into dist/inspector/.\n`;
    writeHead(res, 500, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(why) });
    res.end(why);
    return;
  }
  writeHead(res, 200, { ...PAGE_HEADERS, 'content-type': asset.type, 'content-length': body.length });
  res.end(body);
}
