import { describe, expect, it } from 'vitest';
import { parseMsRange } from '../../src/ms-range.js';

describe("parseMsRange, for --latency and a failure rule's ms", () => {
  it.each<{ v: unknown; range: [number, number] | undefined }>([
    { v: '300', range: [300, 300] },
    { v: 300, range: [300, 300] },
    { v: '0', range: [0, 0] },
    { v: ' 100 - 500 ', range: [100, 500] },
    { v: '7-7', range: [7, 7] },
    { v: '300000', range: [300_000, 300_000] },
    { v: '300001', range: undefined },
    { v: '0-300001', range: undefined },
    { v: '500-100', range: undefined },
    { v: '-1', range: undefined },
    { v: '1.5', range: undefined },
    { v: 1.5, range: undefined },
    { v: '1-2-3', range: undefined },
    { v: '', range: undefined },
    { v: 'x', range: undefined },
    { v: null, range: undefined },
    { v: [100], range: undefined },
  ])('$v → $range', ({ v, range }) => {
    expect(parseMsRange(v, 300_000)).toEqual(range);
  });
});
