import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_RULES, MAX_RUNTIME_RULES, MAX_SPEC_LENGTH } from '../../src/failures/bounds.js';
import { compilePattern } from '../../src/failures/pattern.js';
import { FailSpecError, parseFailSpec } from '../../src/failures/spec.js';
import type { RunningServer } from '../../src/server.js';
import { type NodeReply, pool, send } from '../support/http.js';
import { start } from '../support/server.js';
import { pattern, regexBody } from './arbitraries.js';
import { check, longRun, runs, timeoutFor } from './harness.js';

const RUNS = runs(40);
/** Under `npm run fuzz` only: the slowest a request within the bounds may be answered. */
const MAX_ANSWER_MS = 1000;

let server: RunningServer;
let agent: ReturnType<typeof pool>;
beforeAll(async () => {
  server = await start();
  agent = pool(2);
});
afterAll(async () => {
  agent.destroy();
  await server.close();
});

/** Patterns that cost a backtracking engine most on long runs of one letter, and some that cost little. */
const costly = fc.constantFrom('/a*b/', '/a{0,2048}b/', '/[ab]*c/', '/\\w*!/', '/.*z/', '/^a*a*b/', '/(?:ab)+c/');
/** Patterns a rule may hold (the others are refused as such, which is not what this is about). */
const accepted = (source: string) => !/[;,]/.test(source) && typeof compilePattern(source) !== 'string';
const matchValue = fc.oneof(
  { arbitrary: costly, weight: 3 },
  { arbitrary: regexBody.map((r) => `/${r}/`).filter(accepted), weight: 2 },
  { arbitrary: pattern.filter(accepted), weight: 1 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom('a', 'b', 'x', 'ab'), fc.integer({ min: 1, max: 200 }))
      .map(([unit, n]) => unit.repeat(n).slice(0, n)),
    weight: 2,
  },
);
/** A rule that never answers by itself (delay 0), so that every rule of a request is matched. */
const rule = fc
  .tuple(fc.constantFrom('redirect_uri', 'redirect_uri', 'client_name', 'header=x-case:'), matchValue)
  .map(([key, value]) => (key.startsWith('header') ? `delay:ms=0,${key}${value}` : `delay:ms=0,${key}=${value}`));
const LONG_RULE = `delay:ms=0,client_name=${'x'.repeat(200)}`;
const value = fc
  .tuple(
    fc.constantFrom('a', 'ab', 'a!', 'https://app.example/'),
    fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1500, max: 2200 })),
  )
  .map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n));

const refusedFor = (reply: NodeReply): string | undefined => {
  if (reply.status !== 400) return undefined;
  const { error, error_description: why } = JSON.parse(reply.text) as { error: string; error_description: string };
  if (error !== 'invalid_request') return undefined;
  if (/must bring at most \d+ rules together/.test(why)) return 'rules';
  if (/must be at most \d+ characters/.test(why)) return 'length';
  if (/must take at most [\d,]+ steps on one request/.test(why)) return 'steps';
  return `other: ${why}`;
};

describe('fuzzing the bounds on failure rules', () => {
  it('a request past a bound gets the 400 that names it; one within them is answered quickly', {
    timeout: timeoutFor(RUNS, 300),
  }, async () => {
    let slowest = 0;
    let answered = 0;
    const tally: Record<string, number> = {};
    await check(
      'bounds: rules, length and steps of a request',
      fc.asyncProperty(
        fc.oneof(
          fc
            .integer({ min: 0, max: 2 * MAX_REQUEST_RULES })
            .chain((n) => fc.array(rule, { minLength: n, maxLength: n })),
          // Rules as long as a rule gets (a 200-character pattern), to reach the bound on length.
          fc.integer({ min: 10, max: 2 * MAX_REQUEST_RULES }).map((n) => Array.from({ length: n }, () => LONG_RULE)),
        ),
        fc.nat(),
        // At most 25 values of 2,200 characters: within the 64 KiB a body may have.
        fc.integer({ min: 0, max: 25 }).chain((n) => fc.array(value, { minLength: n, maxLength: n })),
        value,
        async (rules, split, uris, name) => {
          const cut = split % (rules.length + 1);
          const header = rules.slice(0, cut).join(';');
          const query = rules.slice(cut).join(';');
          // Rules a pattern makes invalid (refused as such) are not what this property is about.
          const parsed = [header, query].filter(Boolean).map((spec) => {
            try {
              return parseFailSpec(spec).length;
            } catch {
              return undefined;
            }
          });
          fc.pre(parsed.every((n) => n !== undefined) && /^[\x20-\x7e]*$/.test(header));
          const count = parsed.reduce((sum: number, n) => sum + n!, 0);
          const clients = server.store.clients.length;
          const headers: Record<string, string> = { 'content-type': 'application/json', 'x-case': name.slice(0, 1000) };
          if (header) headers['x-dcr-mock-fail'] = header;
          const path = query ? `/oidc/register?__fail=${encodeURIComponent(query)}` : '/oidc/register';
          const body = JSON.stringify({ client_name: name, redirect_uris: ['https://app.example/cb', ...uris] });
          const started = performance.now();
          const reply = await send(`${server.url}${path}`, { method: 'POST', body, headers, agent, timeoutMs: 30_000 });
          const ms = performance.now() - started;
          // A query past Node's 16 KiB of request head is refused before dcr-mock sees it.
          if (reply.status === 431) return fc.pre(false);

          const refused = refusedFor(reply);
          tally[refused ?? 'none'] = (tally[refused ?? 'none'] ?? 0) + 1;
          const tooLong = header.length > MAX_SPEC_LENGTH || query.length > MAX_SPEC_LENGTH;
          if (tooLong) expect(refused, reply.text).toBe('length');
          else if (count > MAX_REQUEST_RULES) expect(refused, reply.text).toBe('rules');
          else expect([undefined, 'steps'], reply.text).toContain(refused);
          // Redirect URIs that are not valid URIs get their own 400; anything else would be a bug.
          if (refused === undefined && reply.status === 400) {
            expect(JSON.parse(reply.text)).toMatchObject({ error: 'invalid_redirect_uri' });
          }
          if (refused === undefined) {
            answered++;
            slowest = Math.max(slowest, ms);
            if (longRun) expect(ms, `answered in ${ms.toFixed(0)} ms`).toBeLessThan(MAX_ANSWER_MS);
          }
          if (refused !== undefined) expect(server.store.clients.length).toBe(clients);
          if (server.store.clients.length > 200) await server.reset();
        },
      ),
      RUNS,
    );
    if (longRun)
      console.log(
        `[fuzz] refused for ${JSON.stringify(tally)}; of ${answered} requests within the bounds, the slowest was answered in ${slowest.toFixed(1)} ms`,
      );
  });

  it(`run-time rules: never more than ${MAX_RUNTIME_RULES} in force, a batch past it adds none`, {
    timeout: timeoutFor(RUNS),
  }, async () => {
    await check(
      'bounds: run-time rules',
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 8 }), async (batches) => {
        server.plan.clearRuntime();
        for (const size of batches) {
          const before = server.plan.list().length;
          const spec = Array.from({ length: size }, (_, i) => `rate_limited:client_name=n${i}`).join(';');
          const reply = await send(`${server.url}/__dcr/failures`, {
            method: 'POST',
            body: JSON.stringify(spec),
            headers: { 'content-type': 'application/json' },
            agent,
          });
          const fits = before + size <= MAX_RUNTIME_RULES;
          expect(reply.status, reply.text).toBe(fits ? 201 : 400);
          expect(server.plan.list().length).toBe(fits ? before + size : before);
          if (!fits) expect(reply.text).toMatch(/run-time failure rules must number at most 1000/);
        }
        expect(() =>
          server.plan.addAll(parseFailSpec('rate_limited'.concat(';rate_limited'.repeat(MAX_RUNTIME_RULES)))),
        ).toThrow(FailSpecError);
      }),
      RUNS,
    );
    server.plan.clearRuntime();
  });
});
