import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getJson } from '../support/http.js';
import { manage } from '../support/management.js';
import { startCli } from '../support/processes.js';
import { register, start, tempDir } from '../support/server.js';

const SEED = 'persistence';
const BODIES = ['One', 'Two', 'Three', 'Four', 'Five'].map((client_name, i) => ({
  client_name,
  redirect_uris: [`http://localhost:${3000 + i}/callback`],
}));

const dir = tempDir();
let dbCount = 0;
/** A fresh db path in the file's temp folder. */
const newDb = () => join(dir, `db-${++dbCount}.json`);

/** Responses of an uninterrupted in-memory server registering BODIES in order, as raw text. */
const reference: string[] = [];
beforeAll(async () => {
  const server = await start({ seed: SEED });
  try {
    for (const body of BODIES) reference.push((await register(server, body)).text);
  } finally {
    await server.close();
  }
});

const idOf = (text: string | undefined) => (JSON.parse(text ?? '{}') as { client_id?: string }).client_id;
const clientIds = async (server: { url: string }) =>
  ((await getJson(server, '/clients')) as Array<{ client_id: string }>).map((c) => c.client_id);

/** Registers BODIES[from..to) on `server`, expecting each to answer what the reference did. */
async function registerInOrder(server: { registrationEndpoint: string }, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    const res = await register(server, BODIES[i]);
    expect(res.status).toBe(201);
    expect(res.text, `registration #${i + 1}`).toBe(reference[i]);
  }
}

describe('a restart on the same db file', () => {
  it('keeps every client and continues the sequence', async () => {
    const db = newDb();
    const first = await start({ db, seed: SEED });
    try {
      await registerInOrder(first, 0, 3);
    } finally {
      await first.close();
    }
    const onDisk = JSON.parse(readFileSync(db, 'utf8')) as { clients: Array<{ client_id: string }> };
    expect(onDisk.clients.map((c) => c.client_id)).toEqual(reference.slice(0, 3).map(idOf));

    const second = await start({ db, seed: SEED });
    try {
      expect(await clientIds(second)).toEqual(reference.slice(0, 3).map(idOf));
      expect(second.store.sequence).toBe(3);
      await registerInOrder(second, 3, 5);
    } finally {
      await second.close();
    }
  });
});

describe(':memory:', () => {
  it('keeps nothing across a restart and starts the sequence over', async () => {
    const first = await start({ db: ':memory:', seed: SEED });
    try {
      await registerInOrder(first, 0, 2);
    } finally {
      await first.close();
    }
    const second = await start({ db: ':memory:', seed: SEED });
    try {
      expect(await clientIds(second)).toEqual([]);
      await registerInOrder(second, 0, 1);
    } finally {
      await second.close();
    }
    expect(existsSync(':memory:')).toBe(false);
  });
});

describe('the journal: a process killed without closing', () => {
  it.each([1, 3])('loses none of %i registrations answered just before a SIGKILL', async (count) => {
    const db = newDb();
    const cli = await startCli(['--port', '0', '--db', db, '--quiet', '--seed', SEED], { cwd: dir });
    try {
      await registerInOrder(cli, 0, count);
      cli.process.kill('SIGKILL');
      const { code, signal } = await cli.exit;
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' });
    } finally {
      await cli.stop('SIGKILL');
    }

    const server = await start({ db, seed: SEED });
    try {
      expect(await clientIds(server)).toEqual(reference.slice(0, count).map(idOf));
      await registerInOrder(server, count, count + 1);
    } finally {
      await server.close();
    }
  });

  it('ignores a last journal line cut in half, then goes on appending', async () => {
    const db = newDb();
    const journal = `${db}.journal`;
    const crash = async (from: number, to: number) => {
      const cli = await startCli(['--port', '0', '--db', db, '--quiet', '--seed', SEED], { cwd: dir });
      try {
        await registerInOrder(cli, from, to);
        cli.process.kill('SIGKILL');
        await cli.exit;
      } finally {
        await cli.stop('SIGKILL');
      }
    };

    await crash(0, 2);
    // What a kill in the middle of writing the third entry leaves: half a line, no newline.
    const cut = JSON.stringify({ epoch: 0, sequence: 3, client: { id: 'tpc_cut', ...JSON.parse(reference[2]!) } });
    appendFileSync(journal, cut.slice(0, Math.floor(cut.length / 2)));
    // The next process must not glue its own entry onto that half line.
    await crash(2, 3);

    const server = await start({ db, seed: SEED });
    try {
      expect(await clientIds(server)).toEqual(reference.slice(0, 3).map(idOf));
      await registerInOrder(server, 3, 4);
    } finally {
      await server.close();
    }
  });
});

describe('a db.json written by hand', () => {
  it('without meta ({"clients": []}) is accepted and starts the sequence at 1', async () => {
    const db = newDb();
    writeFileSync(db, '{"clients": []}');
    const server = await start({ db, seed: SEED });
    try {
      expect(await clientIds(server)).toEqual([]);
      await registerInOrder(server, 0, 1);
    } finally {
      await server.close();
    }
    const onDisk = JSON.parse(readFileSync(db, 'utf8')) as { clients: Array<{ client_id: string }> };
    expect(onDisk.clients.map((c) => c.client_id)).toEqual([idOf(reference[0])]);
  });

  it('with a client that has no id is served by GET /clients/:id', async () => {
    const db = newDb();
    writeFileSync(db, JSON.stringify({ clients: [{ client_id: 'legacy-app', client_name: 'Legacy' }] }));
    const server = await start({ db, seed: SEED });
    try {
      expect(await getJson(server, '/clients/legacy-app')).toMatchObject({
        client_id: 'legacy-app',
        client_name: 'Legacy',
      });
      const res = await register(server, BODIES[0]);
      expect(res.status).toBe(201);
      expect(await clientIds(server)).toEqual(['legacy-app', res.json['client_id']]);
    } finally {
      await server.close();
    }
  });
});

describe('an intact db.json', () => {
  it('is not rewritten by a start and a stop that change nothing', async () => {
    const db = newDb();
    const first = await start({ db, seed: SEED });
    await registerInOrder(first, 0, 2);
    await first.close();
    const before = { text: readFileSync(db, 'utf8'), mtime: statSync(db).mtimeMs };
    const second = await start({ db, seed: SEED });
    expect(await clientIds(second)).toHaveLength(2);
    await second.close();
    expect(readFileSync(db, 'utf8')).toBe(before.text);
    expect(statSync(db).mtimeMs).toBe(before.mtime);
  });
});

describe('a store that cannot be written', () => {
  /** db.json cannot be replaced while its temp file's name is taken by a folder. */
  const blockCheckpoints = (db: string) => {
    const blocker = join(db, '..', `.${db.split('/').at(-1)}.tmp`);
    mkdirSync(blocker);
    return () => rmSync(blocker, { recursive: true });
  };
  const unavailable = (cause: RegExp) => ({
    error: 'temporarily_unavailable',
    error_description: expect.stringMatching(cause),
  });

  it.skipIf(!existsSync('/dev/full'))(
    'a registration on a full disk gets 503 naming ENOSPC, stores nothing and advances nothing',
    async () => {
      const db = newDb();
      const server = await start({ db, seed: SEED });
      try {
        // Every write to /dev/full fails with ENOSPC, as on a full disk.
        symlinkSync('/dev/full', `${db}.journal`);
        const refused = await register(server, BODIES[0]);
        expect(refused.status).toBe(503);
        expect(refused.json).toEqual(
          unavailable(/^the store could not write db-\d+\.json\.journal \(ENOSPC: .*nothing was stored$/),
        );
        expect(await clientIds(server)).toEqual([]);
        unlinkSync(`${db}.journal`);
        await registerInOrder(server, 0, 1);
      } finally {
        await server.close();
      }
    },
  );

  it('an RFC 7592 delete that cannot reach db.json gets 503 and leaves the client', async () => {
    const db = newDb();
    const server = await start({ db, seed: SEED, profile: 'rfc7591' });
    const unblock = blockCheckpoints(db);
    try {
      const client = (await register(server, BODIES[0])).json;
      const uri = client['registration_client_uri'] as string;
      const token = client['registration_access_token'] as string;
      const refused = await manage(uri, 'DELETE', token);
      expect(refused.status).toBe(503);
      expect(refused.json).toEqual(
        unavailable(/^the store could not write db-\d+\.json \(EISDIR: .*nothing was changed$/),
      );
      expect((await manage(uri, 'GET', token)).status).toBe(200);
    } finally {
      unblock();
      await server.close();
    }
  });

  it('a json-server write that cannot reach db.json gets 503, not 500', async () => {
    const db = newDb();
    const server = await start({ db, seed: SEED });
    const unblock = blockCheckpoints(db);
    try {
      const id = (await register(server, BODIES[0])).json['client_id'] as string;
      const res = await fetch(`${server.url}/clients/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: '{"client_name":"renamed"}',
      });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual(unavailable(/EISDIR/));
    } finally {
      unblock();
      await server.close();
    }
  });
});
