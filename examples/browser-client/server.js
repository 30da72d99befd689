// A tiny static server for this example: `node examples/browser-client/server.js [port]`.
// Browsers let a page call dcr-mock on 127.0.0.1 only when the page itself is served from loopback
// (not from file://), so the page needs a server; this one answers its three files and nothing else.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

const FILES = new Map([
  ['/', ['index.html', 'text/html; charset=utf-8']],
  ['/index.html', ['index.html', 'text/html; charset=utf-8']],
  ['/app.js', ['app.js', 'text/javascript; charset=utf-8']],
  ['/style.css', ['style.css', 'text/css; charset=utf-8']],
]);

/**
 * Serves the example on http://localhost:PORT (bound to 127.0.0.1). Port 0 picks a free one.
 * @param {{ port?: number }} [options]
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function serveExample({ port = 5173 } = {}) {
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const file = req.method === 'GET' ? FILES.get(path) : undefined;
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    const body = await readFile(new URL(file[0], import.meta.url));
    res.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-cache' }).end(body);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  return {
    url: `http://localhost:${typeof address === 'object' && address ? address.port : port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url } = await serveExample({ port: Number(process.argv[2] ?? 5173) });
  console.log(`example served at ${url}`);
  console.log(`open ${url}/?issuer=http://127.0.0.1:4000/ while npx dcr-mock runs`);
}
