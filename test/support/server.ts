import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { type RunningServer, type ServerHooks, startServer } from '../../src/server.js';
import { toReply } from './http.js';

/** A temp folder removed after the file's tests. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dcr-mock-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts a real server on port 0 (quiet unless told otherwise). Close it yourself. */
export async function start(options: Record<string, unknown> = {}, hooks: ServerHooks = {}): Promise<RunningServer> {
  return startServer(resolveConfig({ port: 0, db: ':memory:', quiet: true }, options), hooks);
}

export async function register(
  server: { registrationEndpoint: string },
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(server.registrationEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return toReply(res);
}
