import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Low } from 'lowdb';

type Fallback = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * json-server's REST routes over dcr-mock's own lowdb instance. Its 1.0.0-beta.3 app serves
 * ./public through sirv and throws at import when NODE_ENV=production and no ./public exists,
 * so it is loaded with NODE_ENV set aside.
 */
export async function createJsonServerFallback<T>(db: Low<T>): Promise<Fallback> {
  const saved = process.env['NODE_ENV'];
  if (saved === 'production') process.env['NODE_ENV'] = 'development';
  let createApp: (db: Low<T>) => { attach: Fallback };
  try {
    ({ createApp } = (await import('json-server/lib/app.js')) as unknown as { createApp: typeof createApp });
  } finally {
    if (saved === 'production') process.env['NODE_ENV'] = saved;
  }
  const app = createApp(db);
  return (req, res) => app.attach(req, res);
}
