import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Drain } from '../../src/http/drain.js';

/** A real, unsent answer: the drain marks it `connection: close` when the stop comes before its head. */
const answer = () => new ServerResponse(new IncomingMessage(new Socket()));
const closed = (res: ServerResponse) => res.getHeader('connection') === 'close';

describe('Drain', () => {
  it('at a stop, closes exactly the answers still in progress, whichever ended first', () => {
    const drain = new Drain();
    const all = Array.from({ length: 5 }, answer);
    for (const res of all) drain.track(res);
    for (const i of [1, 4, 0]) drain.done(all[i]!); // one from the middle, the last, the first
    drain.stop();
    expect(all.map(closed)).toEqual([false, false, true, true, false]);
  });

  it('ignores an answer ended twice, or never tracked', () => {
    const drain = new Drain();
    const [a, b, stranger] = [answer(), answer(), answer()];
    drain.track(a);
    drain.track(b);
    drain.done(a);
    drain.done(a);
    drain.done(stranger);
    drain.stop();
    expect([closed(a), closed(b), closed(stranger)]).toEqual([false, true, false]);
  });

  it('closes an answer that starts after the stop at once', () => {
    const drain = new Drain();
    drain.stop();
    const late = answer();
    drain.track(late);
    expect(closed(late)).toBe(true);
    drain.done(late);
  });

  it('agrees with a set of the answers in progress, for any order of starts and ends', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(20)), { maxLength: 200 }), (ops) => {
        const drain = new Drain();
        const pool = Array.from({ length: 21 }, answer);
        const model = new Set<ServerResponse>();
        for (const [start, i] of ops) {
          const res = pool[i]!;
          if (start && !model.has(res)) {
            drain.track(res);
            model.add(res);
          } else if (!start) {
            drain.done(res);
            model.delete(res);
          }
        }
        drain.stop();
        expect(pool.filter(closed)).toEqual(pool.filter((res) => model.has(res)));
      }),
      { seed: 7591, numRuns: 200 },
    );
  });
});
