import { readFileSync } from 'node:fs';
import type { ClientRecord } from '../../src/store/shape.js';

/** The n-th client as db.json keeps it, for tests that write stores and journals by hand. */
export const storedClient = (n: number): ClientRecord => ({
  id: `tpc_${n}`,
  client_id: `tpc_${n}`,
  client_name: `c${n}`,
  redirect_uris: ['https://a.example/cb'],
});

/** The client_ids db.json holds now, in its order. */
export const idsInDbJson = (db: string): string[] =>
  (JSON.parse(readFileSync(db, 'utf8')) as { clients: ClientRecord[] }).clients.map((c) => c.client_id);
