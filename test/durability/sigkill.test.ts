import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sfc32Randomizer, seedWords } from '../../src/random.js';
import { JournaledJSONFile } from '../../src/store/journaled-file.js';
import type { ClientRecord } from '../../src/store/shape.js';
import { JSON_HEADERS, pool, registration, send } from '../support/http.js';
import { type Cli, startCli } from '../support/processes.js';
import { tempDir } from '../support/server.js';

const ROUNDS = 10;
const CONNECTIONS = 16;
const MAX_PER_ROUND = 1000;
const SEED = process.env['DCR_SIGKILL_SEED'] ?? 'sigkill';

interface Round {
  /** Kill once this many 201s have arrived in the round. */
  readonly kill: number;
  /** Then, if set, stop sending and wait this long first: the kill races the idle checkpoint. */
  readonly idleMs: number | undefined;
}

function plan(seed: string): Round[] {
  const random = sfc32Randomizer(seedWords(seed));
  return Array.from({ length: ROUNDS }, () => ({
    kill: 1 + Math.floor(random.next() * (MAX_PER_ROUND - CONNECTIONS)),
    idleMs: random.next() < 0.4 ? 150 + Math.floor(random.next() * 150) : undefined,
  }));
}

/** Every 201 body a client ever received, by client_id. */
type Acknowledged = Map<string, Record<string, unknown>>;

/** Runs registrations over CONNECTIONS connections until `kill` 201s arrived, then kills the child. */
async function loadThenKill(child: Cli, round: number, spec: Round, acked: Acknowledged): Promise<number> {
  const agent = pool(CONNECTIONS);
  let sent = 0;
  let received = 0;
  let stop = false;
  const endpoint = `${child.url}/oidc/register`;
  const worker = async () => {
    while (!stop && sent < MAX_PER_ROUND) {
      const name = `round-${round}-${sent++}`;
      let reply: Awaited<ReturnType<typeof send>> | undefined;
      try {
        reply = await send(endpoint, { method: 'POST', body: registration(name), headers: JSON_HEADERS, agent });
      } catch {
        return; // the child is gone
      }
      expect(reply.status).toBe(201);
      const body = JSON.parse(reply.text) as Record<string, unknown>;
      const id = body['client_id'] as string;
      expect(acked.has(id), `client_id ${id} was issued twice`).toBe(false);
      acked.set(id, body);
      received++;
      if (received >= spec.kill && !stop) {
        stop = true;
        if (spec.idleMs === undefined) child.process.kill('SIGKILL');
        else setTimeout(() => child.process.kill('SIGKILL'), spec.idleMs);
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  await child.stop('SIGKILL');
  agent.destroy();
  return received;
}

/** Acknowledged clients missing from (or different in) the given records. */
function lostFrom(records: readonly ClientRecord[], acked: Acknowledged): string[] {
  const stored = new Map(records.map((r) => [r.client_id, r]));
  const lost: string[] = [];
  for (const [id, body] of acked) {
    const record = stored.get(id);
    if (!record || Object.entries(body).some(([k, v]) => JSON.stringify(record[k]) !== JSON.stringify(v)))
      lost.push(id);
  }
  return lost;
}

function expectUnique(records: readonly ClientRecord[]): void {
  const ids = records.map((r) => r.client_id);
  expect(new Set(ids).size, 'db.json holds a client_id twice').toBe(ids.length);
}

describe('durability under SIGKILL', () => {
  it(`loses no acknowledged client over ${ROUNDS} kills at random moments (seed ${SEED})`, {
    timeout: 180_000,
  }, async () => {
    const db = join(tempDir(), 'db.json');
    const acked: Acknowledged = new Map();
    const totals = { kills: 0, survived: 0, acknowledged: 0, lost: 0, storedUnacknowledged: 0 };

    for (const [round, spec] of plan(SEED).entries()) {
      const child = await startCli(['--port', '0', '--db', db, '--quiet']);

      // What the restart folded into db.json: every 201 so far, byte for byte, and no id twice.
      const onDisk = JSON.parse(readFileSync(db, 'utf8')) as { clients: ClientRecord[] };
      expectUnique(onDisk.clients);
      const lostAtStart = lostFrom(onDisk.clients, acked);
      expect(lostAtStart, `round ${round}: lost at restart`).toEqual([]);

      // The sequence continues: the next client is new.
      const first = await send(`${child.url}/oidc/register`, {
        method: 'POST',
        body: registration(`round-${round}-first`),
        headers: JSON_HEADERS,
      });
      expect(first.status).toBe(201);
      const firstBody = JSON.parse(first.text) as Record<string, unknown>;
      const firstId = firstBody['client_id'] as string;
      expect(
        onDisk.clients.some((c) => c.client_id === firstId),
        `round ${round}: ${firstId} reissued`,
      ).toBe(false);
      expect(acked.has(firstId)).toBe(false);
      acked.set(firstId, firstBody);

      await loadThenKill(child, round, spec, acked);
      totals.kills++;

      // Straight after the kill, before any restart: db.json parses and, with the journal, holds every 201.
      if (existsSync(db)) JSON.parse(readFileSync(db, 'utf8'));
      const data = await new JournaledJSONFile(db).read();
      const records = data?.clients ?? [];
      expectUnique(records);
      const lost = lostFrom(records, acked);
      totals.lost += lost.length;
      if (lost.length === 0) totals.survived++;
      totals.storedUnacknowledged = records.length - acked.size;
      expect(lost, `round ${round} (${JSON.stringify(spec)}): lost`).toEqual([]);
    }

    // A last start and a clean stop: everything is in db.json and the journal is gone.
    const child = await startCli(['--port', '0', '--db', db, '--quiet']);
    expect(await child.stop()).toBe(0);
    const final = JSON.parse(readFileSync(db, 'utf8')) as { clients: ClientRecord[] };
    expectUnique(final.clients);
    expect(lostFrom(final.clients, acked)).toEqual([]);
    expect(existsSync(`${db}.journal`)).toBe(false);

    totals.acknowledged = acked.size;
    console.log(
      `[durability] seed ${SEED}: kills survived ${totals.survived}/${totals.kills}, clients acknowledged ${totals.acknowledged}, ` +
        `clients lost ${totals.lost}, stored but never acknowledged ${totals.storedUnacknowledged}`,
    );
    expect(totals.survived).toBe(ROUNDS);
  });
});
