import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { s256 } from '../../src/authorization/pkce.js';
import type { RunningServer } from '../../src/server.js';
import type { ClientRecord } from '../../src/store/shape.js';
import { Store } from '../../src/store/store.js';
import { getJson } from '../support/http.js';
import { startCli } from '../support/processes.js';
import { storedClient as client } from '../support/records.js';
import { register, start, tempDir } from '../support/server.js';

/** What a running store says on stderr, and a way to wait for a line of it. */
function stderr() {
  const lines: string[] = [];
  const waiting: Array<{ match: RegExp; resolve: (line: string) => void }> = [];
  return {
    lines,
    report: (line: string) => {
      lines.push(line);
      for (const w of waiting.filter((w) => w.match.test(line))) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(line);
      }
    },
    /** The next line that matches; ask before making the change it answers. */
    next: (match: RegExp) => new Promise<string>((resolve) => waiting.push({ match, resolve })),
  };
}

/** As most editors save: a new file renamed over the old one. */
function saveAtomically(path: string, text: string): void {
  const temp = join(dirname(path), '.db.json.swp');
  writeFileSync(temp, text);
  renameSync(temp, path);
}

/** A registration's metadata, named. */
const app = (name: string) => ({ client_name: name, redirect_uris: ['https://app.example/cb'] });

const READ_AGAIN = /db\.json was changed on disk: read again/;
const CANNOT_BE_READ = /db\.json was changed on disk and cannot be read/;

type Db = { clients: ClientRecord[]; meta?: unknown; [other: string]: unknown };
const readDb = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Db;
const names = async (server: RunningServer) =>
  ((await getJson(server, '/clients')) as ClientRecord[]).map((c) => c['client_name'] ?? c.client_id);

describe('db.json edited by hand while dcr-mock runs', () => {
  const dir = tempDir();
  let files = 0;
  const newDb = () => join(dir, `${++files}`, 'db.json');
  const startOn = async (db: string, report: (line: string) => void) => {
    mkdirSync(dirname(db), { recursive: true });
    return start({ db, seed: 'hand' }, { report });
  };

  it.each([
    ['saved as most editors do (a new file renamed into place)', saveAtomically],
    ['written in place', (path: string, text: string) => writeFileSync(path, text)],
  ])('is read again when %s: REST and registration see the edit, the next write keeps it', async (_, save) => {
    const db = newDb();
    const out = stderr();
    const server = await startOn(db, out.report);
    try {
      for (const name of ['one', 'two']) expect((await register(server, app(name))).status).toBe(201);
      await server.store.flush();
      const edited = readDb(db);
      const [one, two] = edited.clients;
      one!['client_name'] = 'one, renamed by hand';
      edited.clients = [one!, { id: 'hand-app', client_id: 'hand-app', client_name: 'added by hand' }];
      edited['posts'] = [{ id: '1', title: 'mine' }];
      const seen = out.next(READ_AGAIN);
      save(db, JSON.stringify(edited, null, 2));
      expect(await seen).toBe('[dcr-mock] db.json was changed on disk: read again (2 clients).');

      expect(await names(server)).toEqual(['one, renamed by hand', 'added by hand']);
      expect(await getJson(server, '/posts')).toEqual([{ id: '1', title: 'mine' }]);
      expect((await fetch(`${server.url}/clients/${two!.client_id}`)).status).toBe(404);
      // The sequence goes on from the file's count: the id of the removed client is not issued again.
      const third = await register(server, app('three'));
      expect(third.status).toBe(201);
      expect(third.json['client_id']).not.toBe(two!.client_id);
    } finally {
      await server.close();
    }
    const after = readDb(db);
    expect(after.clients.map((c) => c['client_name'])).toEqual(['one, renamed by hand', 'added by hand', 'three']);
    expect(after['posts']).toEqual([{ id: '1', title: 'mine' }]);
    expect(after.meta).toEqual({ sequence: 3, epoch: 0 });
    expect(out.lines.filter((l) => READ_AGAIN.test(l))).toHaveLength(1);
  });

  it('its own writes are never taken for an edit', async () => {
    const db = newDb();
    const out = stderr();
    const server = await startOn(db, out.report);
    try {
      for (let i = 0; i < 20; i++) {
        expect((await register(server, app(`c${i}`))).status).toBe(201);
        if (i % 5 === 0) await server.store.flush();
      }
      const patched = await fetch(`${server.url}/clients/${server.store.clients[0]!.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ note: 'over REST' }),
      });
      expect(patched.status).toBe(200);
      // A hand edit after all that is seen, once: the stat of each of its own writes was taken for them.
      const seen = out.next(/db\.json was changed on disk/);
      const edited = readDb(db);
      edited.clients = edited.clients.slice(0, 1);
      saveAtomically(db, JSON.stringify(edited));
      await seen;
      expect(out.lines).toEqual(['[dcr-mock] db.json was changed on disk: read again (1 clients).']);
    } finally {
      await server.close();
    }
  });

  it('one that cannot be read is reported and never written over; registrations go on in the journal; a fix is read', async () => {
    const db = newDb();
    const out = stderr();
    const server = await startOn(db, out.report);
    const broken = '{"clients": [ {"client_id": "half-typed",';
    try {
      expect((await register(server, app('before'))).status).toBe(201);
      await server.store.flush();
      const good = readDb(db);
      const refused = out.next(CANNOT_BE_READ);
      saveAtomically(db, broken);
      expect(await refused).toMatch(
        /^\[dcr-mock\] db\.json was changed on disk and cannot be read: it is not valid JSON \(.+\)\. dcr-mock goes on with the store as it was and does not write over db\.json until it can be read; fix it and save it again \(the journal keeps every new client meanwhile\)\.$/,
      );
      // The store goes on as it was: reads, and registrations (journaled), are answered.
      expect(await names(server)).toEqual(['before']);
      expect((await register(server, app('while broken'))).status).toBe(201);
      // A write that must reach db.json at once is refused, naming why.
      const patch = await fetch(`${server.url}/clients/${good.clients[0]!.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ note: 'x' }),
      });
      expect(patch.status).toBe(503);
      expect(await patch.json()).toEqual({
        error: 'temporarily_unavailable',
        error_description: expect.stringMatching(
          /^the store could not write db\.json \(it was changed on disk and cannot be read \(it is not valid JSON .+\); dcr-mock does not write over it\); the change is taken back/,
        ),
      });
      await server.store.flush().catch(() => undefined);
      expect(readFileSync(db, 'utf8')).toBe(broken);

      // Fixed: read again, with the client registered meanwhile replayed from the journal.
      const fixed = out.next(READ_AGAIN);
      good.clients[0]!['client_name'] = 'before, fixed';
      saveAtomically(db, JSON.stringify(good));
      expect(await fixed).toBe(
        '[dcr-mock] db.json was changed on disk: read again (2 clients, with the newest entries of its journal).',
      );
      expect(await names(server)).toEqual(['before, fixed', 'while broken']);
    } finally {
      await server.close();
    }
    expect(readDb(db).clients.map((c) => c['client_name'])).toEqual(['before, fixed', 'while broken']);
  });

  it('an edit that drops meta keeps the counts, and the journal replays over it', async () => {
    const db = newDb();
    mkdirSync(dirname(db));
    const out = stderr();
    const store = await Store.open(db, { warn: out.report });
    try {
      store.add(client(1), 1);
      store.add(client(2), 2);
      await store.flush();
      // Registered after the last fold: in the journal only when the file is edited.
      store.add(client(3), 3);
      const seen = out.next(READ_AGAIN);
      saveAtomically(db, JSON.stringify({ clients: [client(2)] }));
      await seen;
      expect(store.clients.map((c) => c.id)).toEqual(['tpc_2', 'tpc_3']);
      expect(store.sequence).toBe(3);
    } finally {
      await store.close();
    }
    expect(readDb(db)).toEqual({ clients: [client(2), client(3)], meta: { sequence: 3, epoch: 0 } });
  });

  it('an edit saved just before a fold is read, not written over, even before the watch has seen it', async () => {
    const db = newDb();
    mkdirSync(dirname(db));
    const store = await Store.open(db, { watch: false, warn: () => {} });
    try {
      store.add(client(1), 1);
      await store.flush();
      saveAtomically(
        db,
        JSON.stringify({ clients: [{ ...client(1), client_name: 'by hand' }], meta: { sequence: 1, epoch: 0 } }),
      );
      store.add(client(2), 2);
      await store.flush();
      expect(store.clients.map((c) => c['client_name'])).toEqual(['by hand', 'c2']);
      // A change that must reach db.json at once, made on the data an edit replaces, is refused, not lost in silence.
      saveAtomically(db, JSON.stringify({ clients: [client(7)], meta: { sequence: 2, epoch: 0 } }));
      await expect(store.remove('tpc_1')).rejects.toThrow(
        /^the store could not write db\.json \(it was changed on disk meanwhile, and is read again\); nothing was changed$/,
      );
      expect(store.clients.map((c) => c.id)).toEqual(['tpc_7']);
    } finally {
      await store.close();
    }
    expect(readDb(db).clients.map((c) => c.id)).toEqual(['tpc_7']);
  });

  it('a reset asked for just after an edit empties the edit, not only the data it replaced', async () => {
    const db = newDb();
    mkdirSync(dirname(db));
    const store = await Store.open(db, { watch: false, warn: () => {} });
    try {
      store.add(client(1), 1);
      await store.flush();
      saveAtomically(
        db,
        JSON.stringify({ clients: [client(1), client(5)], posts: [], meta: { sequence: 5, epoch: 0 } }),
      );
      await store.reset([client(9)]);
      expect(store.clients.map((c) => c.id)).toEqual(['tpc_9']);
    } finally {
      await store.close();
    }
    expect(readDb(db)).toEqual({ clients: [client(9)], posts: [], meta: { sequence: 0, epoch: 1 } });
  });

  it('removed: said once, and the next write puts it back with the store as it is', async () => {
    const db = newDb();
    const out = stderr();
    const server = await startOn(db, out.report);
    try {
      expect((await register(server, app('kept'))).status).toBe(201);
      await server.store.flush();
      const said = out.next(/removed/);
      rmSync(db);
      expect(await said).toBe(
        '[dcr-mock] db.json was removed while dcr-mock ran: the next write puts it back, with the store as it is (POST /__dcr/reset empties the store).',
      );
      expect(existsSync(db)).toBe(false);
      expect((await register(server, app('after'))).status).toBe(201);
      await server.store.flush();
      expect(readDb(db).clients.map((c) => c['client_name'])).toEqual(['kept', 'after']);
    } finally {
      await server.close();
    }
  });

  it('refresh-token families edited by hand are what the token endpoint goes by; a bad one is refused, naming it', async () => {
    const db = newDb();
    const out = stderr();
    const server = await startOn(db, out.report);
    try {
      const redirect = 'http://127.0.0.1:8765/callback';
      const registered = await register(server, {
        redirect_uris: [redirect],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
      });
      const clientId = registered.json['client_id'] as string;
      const verifier = 'h'.repeat(43);
      const query = new URLSearchParams({
        client_id: clientId,
        redirect_uri: redirect,
        response_type: 'code',
        scope: 'openid offline_access',
        code_challenge: s256(verifier),
        code_challenge_method: 'S256',
      });
      const location = (await fetch(`${server.url}/authorize?${query}`, { redirect: 'manual' })).headers.get(
        'location',
      );
      const token = (params: Record<string, string>) =>
        fetch(`${server.url}/oauth/token`, {
          method: 'POST',
          body: new URLSearchParams({ client_id: clientId, ...params }),
        });
      const exchanged = await token({
        grant_type: 'authorization_code',
        code: new URL(location!).searchParams.get('code')!,
        redirect_uri: redirect,
        code_verifier: verifier,
      });
      const refreshToken = ((await exchanged.json()) as { refresh_token: string }).refresh_token;
      await server.store.flush();

      // A bad family: refused, naming the field; the family in use is untouched.
      const edited = readDb(db);
      const families = edited['refresh_tokens'] as Array<Record<string, unknown>>;
      const refused = out.next(CANNOT_BE_READ);
      saveAtomically(db, JSON.stringify({ ...edited, refresh_tokens: [{ ...families[0], generation: 'two' }] }));
      expect(await refused).toContain('cannot be read: refresh_tokens[0].generation must be a whole number from 1.');

      // Revoked by hand: the token endpoint refuses the family's token from then on.
      const read = out.next(READ_AGAIN);
      saveAtomically(
        db,
        JSON.stringify({ ...edited, refresh_tokens: [{ ...families[0], revoked_at: 1, revoked_reason: 'revoked' }] }),
      );
      await read;
      const refreshed = await token({ grant_type: 'refresh_token', refresh_token: refreshToken });
      expect(refreshed.status).toBe(403);
    } finally {
      await server.close();
    }
  });
});

describe('a stop while db.json holds an edit that cannot be read', () => {
  it('leaves it as it is and exits 1 saying the journal keeps every client; a start after the fix folds them in', {
    timeout: 30_000,
  }, async () => {
    const db = join(tempDir(), 'db.json');
    const args = ['--port', '0', '--db', db, '--quiet', '--seed', 'hand'];
    const child = await startCli(args);
    const post = (name: string) =>
      fetch(`${child.url}/oidc/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(app(name)),
      });
    expect((await post('first')).status).toBe(201);
    const clients = (await (await fetch(`${child.url}/__dcr/clients`)).json()) as ClientRecord[];
    saveAtomically(db, '{"clients": [');
    await new Promise<void>((resolve) => {
      const look = () => CANNOT_BE_READ.test(child.stderr()) && resolve();
      child.process.stderr!.on('data', () => setImmediate(look));
      look();
    });
    expect((await post('second')).status).toBe(201);
    expect(await child.stop()).toBe(1);
    expect(child.stderr()).toMatch(
      /Failed to write the store .*db\.json: it was changed on disk and cannot be read \(it is not valid JSON .+\); dcr-mock does not write over it\. The journal \(.*db\.json\.journal\) keeps every client, and the next start folds it in; fix db\.json, then start dcr-mock again\./,
    );
    expect(readFileSync(db, 'utf8')).toBe('{"clients": [');

    writeFileSync(db, JSON.stringify({ clients, meta: { sequence: 1, epoch: 0 } }));
    const again = await startCli(args);
    try {
      const names = ((await (await fetch(`${again.url}/clients`)).json()) as ClientRecord[]).map(
        (c) => c['client_name'],
      );
      expect(names).toEqual(['first', 'second']);
    } finally {
      expect(await again.stop()).toBe(0);
    }
  });
});
