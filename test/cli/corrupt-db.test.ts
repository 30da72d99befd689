import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/processes.js';
import { tempDir } from '../support/server.js';

const root = tempDir();

const entry = (sequence: number, id: string) =>
  `${JSON.stringify({ epoch: 0, sequence, client: { id, client_id: id, redirect_uris: ['http://localhost/cb'] } })}\n`;
const EMPTY_DB = JSON.stringify({ clients: [], meta: { sequence: 0, epoch: 0 } }, null, 2);

interface Case {
  name: string;
  /** Files to write beside each other; a null content makes a directory. */
  files: Record<string, string | null>;
  /** The file the message must name. */
  names: 'db.json' | 'db.json.journal';
  problem: RegExp;
}

const cases: Case[] = [
  { name: 'truncated JSON', files: { 'db.json': EMPTY_DB.slice(0, 30) }, names: 'db.json', problem: /not valid JSON/ },
  { name: '[]', files: { 'db.json': '[]' }, names: 'db.json', problem: /must hold a JSON object/ },
  { name: 'null', files: { 'db.json': 'null' }, names: 'db.json', problem: /must hold a JSON object/ },
  {
    name: '{"clients": {}}',
    files: { 'db.json': '{"clients": {}}' },
    names: 'db.json',
    problem: /"clients" must be an array/,
  },
  {
    name: '{"clients":[{"no":"id"}]}',
    files: { 'db.json': '{"clients":[{"no":"id"}]}' },
    names: 'db.json',
    problem: /clients\[0\] must have a client_id/,
  },
  {
    name: 'a negative meta.sequence',
    files: { 'db.json': '{"meta": {"sequence": -1, "epoch": 0}, "clients": []}' },
    names: 'db.json',
    problem: /"meta" must be/,
  },
  { name: 'a directory at the db path', files: { 'db.json': null }, names: 'db.json', problem: /director/i },
  {
    name: 'a corrupt line in the middle of db.json.journal',
    files: { 'db.json': EMPTY_DB, 'db.json.journal': `${entry(1, 'tpc_one')}{"epoch":0,"sequ\n${entry(2, 'tpc_two')}` },
    names: 'db.json.journal',
    problem: /line 2 is not a journal entry/,
  },
  {
    name: 'a JSON line in db.json.journal that is no entry',
    files: { 'db.json': EMPTY_DB, 'db.json.journal': `${entry(1, 'tpc_one')}{"epoch":0}\n${entry(2, 'tpc_two')}` },
    names: 'db.json.journal',
    problem: /line 2 is not a journal entry/,
  },
  {
    name: 'a directory at the journal path',
    files: { 'db.json': EMPTY_DB, 'db.json.journal': null },
    names: 'db.json.journal',
    problem: /director/i,
  },
];

/** Every entry of a folder, files by their bytes, folders by what they hold. */
function snapshot(dir: string): Record<string, Buffer | Record<string, unknown>> {
  const out: Record<string, Buffer | Record<string, unknown>> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    out[name] = statSync(path).isDirectory() ? snapshot(path) : readFileSync(path);
  }
  return out;
}

describe('an unusable store', () => {
  it.each(cases.map((c, i) => ({ ...c, i })))('$name: exit 1, one line naming the file, nothing touched', async (c) => {
    const dir = join(root, `store-${c.i}`);
    mkdirSync(dir);
    for (const [name, content] of Object.entries(c.files)) {
      if (content === null) mkdirSync(join(dir, name));
      else writeFileSync(join(dir, name), content);
    }
    const before = snapshot(dir);

    const { code, stdout, stderr } = await runCli(['--port', '0', '--db', join(dir, 'db.json')]);

    expect(stderr).toMatch(/^\[dcr-mock\] [^\n]+\n$/);
    expect(stderr).toContain(`${join(dir, c.names)}: `);
    expect(stderr).toMatch(c.problem);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(snapshot(dir)).toEqual(before);
    expect(readdirSync(dir)).not.toContain('.db.json.tmp');
  });
});

describe('a db path that cannot be written', () => {
  it('a --db in a folder that does not exist: exit 1, one line naming the file, no folder made', async () => {
    const dir = join(root, 'unwritable');
    mkdirSync(dir);
    const db = join(dir, 'no', 'such', 'folder', 'db.json');
    const { code, stdout, stderr } = await runCli(['--port', '0', '--db', db]);
    expect(stderr).toMatch(/^\[dcr-mock\] [^\n]+\n$/);
    expect(stderr).toContain(`${db}: `);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('a store that is fine but cannot be written', () => {
  it('found at start, before the first registration: exit 1, one line naming the file, nothing touched', async () => {
    const dir = join(root, 'unwritable-folder');
    mkdirSync(dir);
    writeFileSync(join(dir, 'db.json'), EMPTY_DB);
    // Where db.json's next version is written first: taken by a folder, no file can be made there.
    mkdirSync(join(dir, '.db.json.tmp'));
    const before = snapshot(dir);
    const { code, stdout, stderr } = await runCli(['--port', '0', '--db', join(dir, 'db.json')]);
    expect(stderr).toMatch(/^\[dcr-mock\] [^\n]+\n$/);
    expect(stderr).toContain(`${join(dir, 'db.json')}: its folder cannot be written (EISDIR`);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(snapshot(dir)).toEqual(before);
  });
});
