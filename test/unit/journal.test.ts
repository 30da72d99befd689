import { describe, expect, it } from 'vitest';
import { RequestJournal } from '../../src/control/journal.js';
import type { RequestRecord } from '../../src/log.js';

const AT = Date.UTC(2026, 1, 3, 4, 5, 6);
const request = (status: number): RequestRecord => ({
  at: AT,
  method: 'POST',
  path: '/oidc/register',
  status,
  ms: 1.25,
});

describe('RequestJournal', () => {
  it('keeps the last `size` requests, newest first, as they were written', () => {
    const journal = new RequestJournal(3);
    for (const status of [201, 400, 429, 500, 502]) journal.record(request(status), `{"n":${status}}`, `id-${status}`);
    expect(journal.list()).toEqual(
      [502, 500, 429].map((status, i) => ({
        id: 5 - i,
        time: '2026-02-03T04:05:06.000Z',
        method: 'POST',
        path: '/oidc/register',
        status,
        ms: 1.25,
        failure: undefined,
        body: { n: status },
        client_id: `id-${status}`,
      })),
    );
    expect(journal.list(2).map((e) => e.id)).toEqual([5, 4]);
  });

  it('lists only what was written before the ring is full, and nothing after clear()', () => {
    const journal = new RequestJournal(3);
    expect(journal.list()).toEqual([]);
    journal.record(request(201), undefined);
    expect(journal.list().map((e) => [e.id, 'body' in e])).toEqual([[1, false]]);
    journal.clear();
    expect(journal.list()).toEqual([]);
    journal.record(request(201), 'not json');
    expect(journal.list().map((e) => [e.id, e.body])).toEqual([[2, 'not json']]);
  });

  it('keeps each answer: headers as strings, the body parsed, cut past 4096 characters or where it was kept in part', () => {
    const journal = new RequestJournal(3);
    const long = 'x'.repeat(5000);
    journal.record(request(201), undefined, undefined, {
      status: 201,
      set: { a: '1' },
      head: { 'content-length': 2, a: '2' },
      body: '{}',
    });
    journal.record(request(200), undefined, undefined, {
      status: 200,
      set: { 'x-list': ['a', 'b'] },
      body: long,
    });
    journal.record(request(200), undefined, undefined, { status: 200, body: 'abc', bytes: 70_000 });
    expect(journal.list().map((e) => e.response)).toEqual([
      { status: 200, headers: {}, body: 'abc… (70000 bytes)' },
      { status: 200, headers: { 'x-list': ['a', 'b'] }, body: `${long.slice(0, 4096)}… (5000 characters)` },
      { status: 201, headers: { a: '2', 'content-length': '2' }, body: {} },
    ]);
  });
});
