import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toFailureRule } from '../../src/failures/spec.js';
import { runNode } from '../support/processes.js';
import { start } from '../support/server.js';
import { METADATA, postOverHttp } from '../support/wire.js';

const CHILD = fileURLToPath(new URL('../support/held-faults-child.mjs', import.meta.url));
const HELD_MODES = ['delay', 'timeout', 'slow_body'] as const;

/**
 * Polls (bounded) on real time until `done` holds. Not vi.waitFor: under fake timers it advances
 * them, and these tests must see what happens when no timer fires.
 */
async function until(done: () => boolean, tries = 300): Promise<boolean> {
  for (let i = 0; i < tries && !done(); i++) await sleep(10);
  return done();
}

describe('held faults leave nothing behind', () => {
  afterEach(() => {
    // Should a test fail with fake timers on, fire what is pending (the drain) so its server still closes.
    if (vi.isFakeTimers()) vi.runOnlyPendingTimers();
    vi.useRealTimers();
  });

  it('a process that held faults, saw its clients give up and closed the mock exits on its own', async () => {
    // The faults hold for 60 s; a leaked socket or timer would keep the child alive far past the deadline.
    const run = await runNode([CHILD], { deadlineMs: 20_000 });

    expect(run.timedOut, `still running at the deadline; stderr: ${run.stderr}`).toBe(false);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toEqual({
      abandoned: ['ABORT_ERR', 'ABORT_ERR', 'ABORT_ERR'],
      allJournaled: true,
      // A client that gave up got no status line, except slow_body's, whose headers had gone out.
      journaled: ['delay:0', 'slow_body:201', 'timeout:0'],
      allHeld: true,
      // Still held at close(): a timeout is cut; a slow body and a delayed registration are finished at once.
      cut: ['ECONNRESET', 'complete', 'complete'],
      before: expect.any(Array),
      after: expect.any(Array),
    });
    // What is left once the mock is closed: stdio only (a leak would show as TCPSocketWrap, TCPServerWrap, Timeout).
    expect((report['after'] as string[]).filter((kind) => kind !== 'PipeWrap' && kind !== 'TTYWrap')).toEqual([]);
  });

  it('close() ends every held fault itself, without waiting for the drain timer', async () => {
    const server = await start();
    for (const mode of HELD_MODES) server.plan.add(toFailureRule(`${mode}:ms=60000,client_name=held-${mode}`));
    // From here no timer ever fires on its own: only close() can end the holds.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const exchanges = HELD_MODES.map((mode) =>
      postOverHttp(server.registrationEndpoint, { ...METADATA, client_name: `held-${mode}` }),
    );
    expect(await until(() => server.plan.list().every((r) => r.applied === 1))).toBe(true);

    let closed = false;
    const closing = server.close().then(() => (closed = true));
    expect(await until(() => closed), 'close() still waiting on a held fault').toBe(true);
    await closing;

    const [delay, timeout, slowBody] = await Promise.all(exchanges);
    // A timeout is cut; a delayed registration and a slow body are finished at once, not left to the drain.
    expect(timeout!.status).toBeUndefined();
    expect(timeout!.error?.code).toBe('ECONNRESET');
    expect(delay).toMatchObject({ status: 201, complete: true });
    expect(slowBody).toMatchObject({ status: 201, complete: true });
    // Every hold's timer and the drain timer were cleared.
    expect(vi.getTimerCount()).toBe(0);
  });
});
