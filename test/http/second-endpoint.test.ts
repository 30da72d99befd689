import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureSteps } from '../../src/failures/apply.js';
import { CATALOGUE, COMMON_MODES } from '../../src/failures/catalogue.js';
import { Chance } from '../../src/failures/chance.js';
import { OpenFaults } from '../../src/failures/network.js';
import { FailurePlan } from '../../src/failures/rules.js';
import { parseFailSpec } from '../../src/failures/spec.js';
import { jsonAnswer } from '../../src/http/answer.js';
import { type Step, exchangeOf, pipeline, run } from '../../src/http/exchange.js';
import { bodyOf, postOverHttp, postOverSocket } from '../support/wire.js';

/**
 * A second endpoint, written the way CONTRIBUTING.md says to add one: a catalogue entry (its own
 * modes and match keys) and a pipeline whose middle is `failureSteps`. Every common mode reaches it
 * with no switch of its own.
 */
const catalogue = CATALOGUE.with('stub', {
  matchKeys: ['name'],
  modes: {
    teapot: {
      group: 'stub',
      kind: 'http',
      summary: "418, the stub's own mode",
      answer: () => jsonAnswer(418, { error: 'teapot' }),
    },
  },
});

const SUCCESS = { hello: 'world', padding: 'x'.repeat(200) };

describe('a second endpoint gets every common failure mode', () => {
  const faults = new OpenFaults();
  const plan = new FailurePlan(
    new Chance('stub'),
    parseFailSpec('stub:teapot:name=static', catalogue),
    undefined,
    catalogue,
  );
  let commits = 0;
  let server: Server;
  let url = '';

  interface State {
    name: string;
    decision?: ReturnType<FailurePlan['choose']>;
  }
  const read: Step<State> = (ex, s) => {
    s.name = ex.query.get('name') ?? '';
    return undefined;
  };
  const respond: Step<State> = () => {
    commits++;
    return jsonAnswer(200, SUCCESS);
  };
  const handler = pipeline<State>(
    () => ({ name: '' }),
    [
      read,
      ...failureSteps<State>(
        'stub',
        { plan, faults, clock: () => new Date('2026-01-01T00:00:00Z') },
        (ex, s) => ({ headers: ex.req.headers, values: { name: [s.name] } }),
        () => ({
          preview: () => jsonAnswer(200, SUCCESS),
          commit: () => {
            commits++;
            return jsonAnswer(200, SUCCESS);
          },
        }),
      ),
      respond,
    ],
  );

  beforeAll(async () => {
    server = createServer((req, res) => run(handler, exchangeOf(req, res), (err) => expect.fail(String(err))));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stub`;
  });
  afterAll(async () => {
    faults.abortAll();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const fail = (spec: string) => ({ headers: { 'x-dcr-mock-fail': spec } });

  it('answers its success when no rule applies; a rule for registration passes it by', async () => {
    const plain = await postOverHttp(url, '', fail('server_error'));
    expect(plain.status).toBe(200);
    expect(JSON.parse(bodyOf(plain))).toEqual(SUCCESS);
  });

  it.each([
    ['rate_limited', 429],
    ['server_error', 500],
    ['bad_gateway', 502],
    ['service_unavailable', 503],
    ['gateway_timeout', 504],
    ['server_error:status=599', 599],
  ])('stub:%s answers %i, tagged', async (spec, status) => {
    const seen = await postOverHttp(url, '', fail(`stub:${spec}`));
    expect(seen.status).toBe(status);
    expect(seen.headers?.['x-dcr-mock-failure']).toBe(spec.split(':')[0]);
  });

  it('its own mode, from a static rule matched on its own key', async () => {
    expect((await postOverHttp(`${url}?name=static`, '')).status).toBe(418);
    expect((await postOverHttp(`${url}?name=other`, '')).status).toBe(200);
  });

  it('malformed_json spoils its success answer', async () => {
    const seen = await postOverHttp(url, '', fail('stub:malformed_json'));
    expect(seen.status).toBe(200);
    expect(bodyOf(seen)).toBe(JSON.stringify(SUCCESS).slice(0, JSON.stringify(SUCCESS).length / 2));
  });

  it('delay holds the success back; slow_body commits and dribbles it', async () => {
    const delayed = await postOverHttp(url, '', fail('stub:delay:ms=20'));
    expect(JSON.parse(bodyOf(delayed))).toEqual(SUCCESS);
    const before = commits;
    const slow = await postOverHttp(url, '', fail('stub:slow_body:ms=50'));
    expect(slow.complete).toBe(true);
    expect(slow.chunks.length).toBeGreaterThan(1);
    expect(JSON.parse(bodyOf(slow))).toEqual(SUCCESS);
    expect(commits).toBe(before + 1);
  });

  it('reset, empty_response, truncated and timeout act on the socket', async () => {
    expect((await postOverSocket(url, '', { 'x-dcr-mock-fail': 'stub:reset' })).code).toBe('ECONNRESET');
    const empty = await postOverSocket(url, '', { 'x-dcr-mock-fail': 'stub:empty_response' });
    expect(empty).toMatchObject({ outcome: 'end', received: Buffer.alloc(0) });
    const cut = await postOverHttp(url, '', fail('stub:truncated'));
    expect(cut.status).toBe(200);
    expect(cut.complete).toBe(false);
    const held = await postOverSocket(url, '', { 'x-dcr-mock-fail': 'stub:timeout:ms=50' });
    expect(held.received.length).toBe(0);
  });

  it('covers every common mode', () => {
    const tried = ['rate_limited', 'server_error', 'bad_gateway', 'service_unavailable', 'gateway_timeout'];
    tried.push('malformed_json', 'delay', 'slow_body', 'reset', 'empty_response', 'truncated', 'timeout');
    expect(tried.sort()).toEqual(Object.keys(COMMON_MODES).sort());
    expect(catalogue.modeNames('stub')).toEqual([...Object.keys(COMMON_MODES), 'teapot']);
  });
});
