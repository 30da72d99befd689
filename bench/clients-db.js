// A db.json already holding many clients, in the shape dcr-mock writes, to measure a store that has been in use.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';

/** Writes `count` registered clients to `path`; ids are unique and the sequence continues after them. */
export function writeClientsDb(path, count) {
  const createdAt = '2026-01-01T00:00:00.000Z';
  const clients = [];
  for (let i = 1; i <= count; i++) {
    // `tpc_` + 32 [A-Za-z0-9], like a generated id, but never one the seeded sequence would issue.
    const clientId = `tpc_bench${String(i).padStart(27, '0')}`;
    clients.push({
      id: clientId,
      client_id: clientId,
      client_name: `Bench client ${i}`,
      client_secret: createHash('sha512').update(`bench-secret-${i}`).digest('base64url').slice(0, 64),
      client_secret_expires_at: 0,
      redirect_uris: [`http://localhost:${3000 + (i % 1000)}/callback`],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_post',
      created_at: createdAt,
    });
  }
  // Indented like lowdb writes it, so the file has the size a real one would have.
  writeFileSync(path, JSON.stringify({ clients, meta: { sequence: count, epoch: 0 } }, null, 2));
}

/**
 * How many clients a stopped dcr-mock left in `path`: db.json's clients, plus journal lines that
 * were not folded into it (only when the process had to be killed).
 */
export function countStoredClients(path) {
  const data = JSON.parse(readFileSync(path, 'utf8'));
  let unfolded = 0;
  for (const journal of [`${path}.journal.old`, `${path}.journal`]) {
    if (!existsSync(journal)) continue;
    unfolded += readFileSync(journal, 'utf8').split('\n').filter(Boolean).length;
  }
  return { clients: data.clients.length, sequence: data.meta?.sequence, unfolded };
}
