import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { parseFailSpec } from '../../src/failures/spec.js';
import type { ClientRecord } from '../../src/store/shape.js';
import { JSON_HEADERS, type NodeReply, pool, registration, send } from '../support/http.js';
import { startCli } from '../support/processes.js';
import { start, tempDir } from '../support/server.js';

const CONNECTIONS = 16;
/** Far longer than a stop may take: the faults below must be ended by the stop, not by running out. */
const HELD_MS = 60_000;

type Outcome = { reply: NodeReply } | { error: Error };
const settle = (p: Promise<NodeReply>): Promise<Outcome> =>
  p.then(
    (reply) => ({ reply }),
    (error: Error) => ({ error }),
  );

describe('SIGTERM during load', () => {
  it('finishes or refuses every request in flight, ends held faults, flushes and exits 0 by itself', {
    timeout: 60_000,
  }, async () => {
    const db = join(tempDir(), 'db.json');
    const child = await startCli(['--port', '0', '--db', db, '--quiet', '--fail', 'timeout:header=x-case:timeout']);
    const endpoint = `${child.url}/oidc/register`;
    const held = (name: string, headers: Record<string, string>) =>
      settle(
        send(endpoint, {
          method: 'POST',
          body: registration(name),
          headers: { ...JSON_HEADERS, ...headers },
          timeoutMs: HELD_MS * 2,
        }),
      );

    // Faults that would hold their sockets for a minute: one from --fail, the others from the header.
    const timeoutFromFlag = held('held-timeout-flag', { 'x-case': 'timeout' });
    const timeoutFromHeader = held('held-timeout-header', { 'x-dcr-mock-fail': `timeout:ms=${HELD_MS}` });
    const slowBody = held('held-slow-body', { 'x-dcr-mock-fail': `slow_body:ms=${HELD_MS}` });
    const delayed = held('held-delay', { 'x-dcr-mock-fail': `delay:ms=${HELD_MS}` });

    const agent = pool(CONNECTIONS);
    const outcomes: Outcome[] = [];
    let signalled = false;
    let sent = 0;
    let signalledAt = 0;
    const worker = async () => {
      // Clients keep sending after the signal, as real ones would, until they are refused.
      while (sent < 3000) {
        const outcome = await settle(
          send(endpoint, {
            method: 'POST',
            body: registration(`load-${sent++}`),
            headers: JSON_HEADERS,
            agent,
            timeoutMs: 20_000,
          }),
        );
        outcomes.push(outcome);
        if ('error' in outcome) return;
        if (!signalled && outcomes.length >= 300) {
          signalled = true;
          signalledAt = performance.now();
          child.process.kill('SIGTERM');
        }
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
    const { code } = await child.exit;
    const exitMs = performance.now() - signalledAt;
    agent.destroy();
    const faults = await Promise.all([timeoutFromFlag, timeoutFromHeader, slowBody, delayed]);

    expect(signalled).toBe(true);
    expect(code).toBe(0);
    expect(child.stderr()).toBe('');
    // Nothing but whole answers (201) or a refused connection; never a 5xx, never a half answer.
    const replies = outcomes.flatMap((o) => ('reply' in o ? [o.reply] : []));
    expect(replies.every((r) => r.status === 201)).toBe(true);
    for (const o of outcomes)
      if ('error' in o)
        expect(o.error.message).toMatch(/ECONNREFUSED|ECONNRESET|EPIPE|socket hang up|other side closed/);

    // The held timeouts were ended: the connection closed without an answer, long before they ran out.
    for (const t of [faults[0]!, faults[1]!])
      expect('error' in t && t.error.message).toMatch(/socket hang up|ECONNRESET/);
    // The delayed registration and the slow body were finished, not cut: the client got its credentials.
    const finished = [faults[2]!, faults[3]!].map((o) => ('reply' in o ? o.reply : o.error.message));
    expect(finished.map((r) => (typeof r === 'string' ? r : r.status))).toEqual([201, 201]);

    // Flushed: db.json alone holds every client that got its 201, and the journal is gone.
    const acked = [...replies, ...(finished as NodeReply[])].map((r) => JSON.parse(r.text) as Record<string, unknown>);
    const stored = new Map(
      (JSON.parse(readFileSync(db, 'utf8')) as { clients: ClientRecord[] }).clients.map((c) => [c.client_id, c]),
    );
    for (const body of acked) expect(stored.get(body['client_id'] as string)).toMatchObject(body);
    expect(existsSync(`${db}.journal`)).toBe(false);
    expect(existsSync(`${db}.journal.old`)).toBe(false);
    console.log(
      `[graceful stop] ${replies.length} registrations answered 201, ${outcomes.length - replies.length} refused, ` +
        `${stored.size - acked.length} stored without an answer; exit ${code} ${Math.round(exitMs)} ms after SIGTERM`,
    );
  });
});

describe('close() with requests in flight', () => {
  it('answers each with Connection: close, so keep-alive clients leave and the stop does not wait for them', async () => {
    const server = await start();
    const agent = pool(2);
    const opts = (rule: string) => ({
      method: 'POST',
      body: registration('in-flight'),
      headers: { ...JSON_HEADERS, 'x-rule': rule },
      agent,
    });
    const held = [`delay:ms=${HELD_MS},header=x-rule:delay`, `slow_body:ms=${HELD_MS},header=x-rule:slow`].map((spec) =>
      server.plan.add(parseFailSpec(spec)[0]!),
    );
    // A keep-alive connection that already served one request, then a delayed one on it.
    expect((await send(server.registrationEndpoint, opts('none'))).headers['connection']).toBe('keep-alive');
    const delayed = send(server.registrationEndpoint, opts('delay'));
    const slow = send(server.registrationEndpoint, opts('slow'));
    // Both are held once their rule has seen them.
    while (held.some((rule) => rule.seen === 0)) await new Promise((resolve) => setImmediate(resolve));
    const closed = server.close();
    const [a, b] = await Promise.all([delayed, slow]);
    await closed;
    agent.destroy();
    expect(a.status).toBe(201);
    expect(a.headers['connection']).toBe('close');
    expect(b.status).toBe(201);
    expect(JSON.parse(b.text)).toHaveProperty('client_id');
    expect(server.store.clients).toHaveLength(3);
  });
});

describe('a stop that cannot write db.json', () => {
  it('tries again, then exits 1 saying the journal keeps every client; the next start folds it in', async () => {
    const dir = tempDir();
    const db = join(dir, 'db.json');
    writeFileSync(db, JSON.stringify({ clients: [], meta: { sequence: 0, epoch: 0 } }));
    const child = await startCli(['--port', '0', '--db', db, '--quiet']);
    // From now on db.json cannot be replaced: its temp file's name is taken by a folder.
    mkdirSync(join(dir, '.db.json.tmp'));
    const res = await send(`${child.url}/oidc/register`, {
      method: 'POST',
      body: registration('kept'),
      headers: JSON_HEADERS,
    });
    expect(res.status).toBe(201);
    expect(await child.stop('SIGTERM')).toBe(1);
    const lines = child.stderr().trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(
      /^\[dcr-mock\] Failed to write the store .*db\.json: EISDIR.*\. The journal \(.*db\.json\.journal\) keeps every client, and the next start folds it in; .*$/,
    );
    expect(JSON.parse(readFileSync(db, 'utf8')).clients).toEqual([]);

    rmSync(join(dir, '.db.json.tmp'), { recursive: true });
    const again = await startCli(['--port', '0', '--db', db, '--quiet']);
    expect(await again.stop()).toBe(0);
    const stored = (JSON.parse(readFileSync(db, 'utf8')) as { clients: ClientRecord[] }).clients;
    expect(stored.map((c) => c.client_id)).toEqual([JSON.parse(res.text).client_id]);
  });
});
