import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { start } from '../support/server.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe("the README's curl example", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start(); // the default seed, an empty store
  });
  afterAll(() => server.close());

  it('answers exactly what the README shows', async () => {
    const section = README.slice(README.indexOf('## Register a client'));
    const body = /-d '(\{.*?\})'/s.exec(section)?.[1];
    const shown = /```json\n(.*?)\n```/s.exec(section)?.[1];
    expect(body && shown).toBeTruthy();
    const res = await fetch(server.registrationEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body!,
    });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe(shown);
  });
});
