import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskWatch, identityAt, sameIdentity } from '../../src/store/disk-watch.js';
import { tempDir } from '../support/server.js';

describe('DiskWatch', () => {
  const dir = tempDir();

  it('calls back once, when a run of saves of the file is quiet, and not for the files beside it', async () => {
    const path = join(dir, 'db.json');
    writeFileSync(path, '{}');
    let calls = 0;
    const seen = new Promise<void>((resolve) => {
      const watch = new DiskWatch(path, () => {
        calls++;
        watch.close();
        resolve();
      });
    });
    writeFileSync(join(dir, 'db.json.journal'), 'x');
    for (let i = 0; i < 5; i++) writeFileSync(path, `{"n": ${i}}`);
    await seen;
    expect(calls).toBe(1);
  });

  it('looks at the file every second where the folder cannot be watched', async () => {
    // A folder that is not there cannot be watched; once it is, the stat sees the file. When the first stat
    // runs is up to the thread pool (it may come after the file is there), so the file keeps changing until
    // a change is seen, a bounded number of times.
    const folder = join(dir, 'later');
    const path = join(folder, 'db.json');
    let seen = false;
    const watch = new DiskWatch(path, () => {
      if (existsSync(path)) seen = true;
    });
    mkdirSync(folder);
    try {
      for (let i = 0; i < 50 && !seen; i++) {
        writeFileSync(path, `{"n": "${'x'.repeat(i)}"}`);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    } finally {
      watch.close();
    }
    expect(seen).toBe(true);
  });

  it('tells versions of a file apart by inode, size and modification time', () => {
    const path = join(dir, 'versions.json');
    writeFileSync(path, '{"a": 1}');
    const first = identityAt(path);
    expect(sameIdentity(identityAt(path), first)).toBe(true);
    writeFileSync(path, '{"a": 22}');
    expect(sameIdentity(identityAt(path), first)).toBe(false);
    expect(identityAt(join(dir, 'none.json'))).toBeUndefined();
    expect(sameIdentity(undefined, undefined)).toBe(true);
  });
});
