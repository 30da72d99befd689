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

describe("the README's authorization example", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());

  it('redirects the client the README registered, with a code and its state', async () => {
    const register = README.slice(README.indexOf('## Register a client'));
    const body = /-d '(\{.*?\})'/s.exec(register)?.[1];
    await fetch(server.registrationEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body!,
    });
    const section = README.slice(README.indexOf('## Log a user in'));
    const url = /curl -si '([^']+)'/.exec(section)?.[1];
    expect(url).toBeDefined();
    const res = await fetch(url!.replace('http://127.0.0.1:4000', server.url), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('http://localhost:5173/callback');
    expect(location.searchParams.get('state')).toBe('xyz');
    expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
