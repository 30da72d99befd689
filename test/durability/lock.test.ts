import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StartupError } from '../../src/errors.js';
import { Store } from '../../src/store/store.js';
import { JSON_HEADERS, registration, send } from '../support/http.js';
import { runCli, startCli } from '../support/processes.js';
import { storedClient as client } from '../support/records.js';
import { tempDir } from '../support/server.js';

const root = tempDir();
let count = 0;
function newDb(): string {
  const dir = join(root, `case-${++count}`);
  mkdirSync(dir);
  return join(dir, 'db.json');
}

/** The pid of a process that has ended: what a lock left by a killed dcr-mock holds. */
const deadPid = () => spawnSync(process.execPath, ['-e', 'console.log(process.pid)']).stdout.toString().trim();

describe('one dcr-mock per db.json', () => {
  it('a second one is refused, naming the process that has it; the first goes on, and its stop frees it', async () => {
    const db = newDb();
    const first = await startCli(['--port', '0', '--db', db, '--quiet']);
    const second = await runCli(['--port', '0', '--db', db]);
    expect({ code: second.code, stdout: second.stdout }).toEqual({ code: 1, stdout: '' });
    expect(second.stderr).toMatch(/^\[dcr-mock\] [^\n]+\n$/);
    expect(second.stderr).toContain(
      `Failed to open the store ${db}: dcr-mock (pid ${first.process.pid} on ${hostname()}) has it open since `,
    );
    const res = await send(`${first.url}/oidc/register`, {
      method: 'POST',
      body: registration('first'),
      headers: JSON_HEADERS,
    });
    expect(res.status).toBe(201);
    expect(await first.stop()).toBe(0);
    expect(existsSync(`${db}.lock`)).toBe(false);
    const again = await startCli(['--port', '0', '--db', db, '--quiet']);
    expect(await again.stop()).toBe(0);
  });

  it.each([
    [
      'a process that has ended (a kill)',
      () => JSON.stringify({ pid: Number(deadPid()), host: hostname(), started: 'x' }),
    ],
    ['that holds no lock (cut short, or written by hand)', () => '{"pid":'],
  ])('a lock file %s is taken over', async (_, text) => {
    const db = newDb();
    writeFileSync(`${db}.lock`, text());
    const child = await startCli(['--port', '0', '--db', db, '--quiet']);
    expect(JSON.parse(readFileSync(`${db}.lock`, 'utf8'))).toMatchObject({ pid: child.process.pid, host: hostname() });
    expect(await child.stop()).toBe(0);
    expect(existsSync(`${db}.lock`)).toBe(false);
  });

  it('in one process too: a second store on the same file is refused until the first is closed', async () => {
    const db = newDb();
    const store = await Store.open(db);
    store.add(client(1), 1);
    const opening = Store.open(db);
    await expect(opening).rejects.toBeInstanceOf(StartupError);
    await expect(opening).rejects.toThrow(/: this process has it open since /);
    await store.close();
    const again = await Store.open(db);
    expect(again.clients.map((c) => c.client_id)).toEqual(['tpc_1']);
    await again.close();
  });
});
