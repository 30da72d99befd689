import { describe, expect, it } from 'vitest';
import { didYouMean, suggest } from '../../src/suggest.js';

describe('suggest', () => {
  it.each([
    ['tims', ['times', 'after', 'rate'], 'times'],
    ['sed', ['port', 'seed'], 'seed'],
    ['prot', ['port', 'host'], 'port'],
    ['Port', ['port'], 'port'],
    ['max_clients', ['maxClients', 'rateLimit'], 'maxClients'],
    ['rate_limted', ['rate_limited', 'reset'], 'rate_limited'],
    ['rfc7519', ['auth0', 'rfc7591'], 'rfc7591'],
    ['x', ['q', 'p', 'H'], undefined],
    ['bogus', ['port', 'host', 'db'], undefined],
    ['db', ['ids'], undefined],
  ])('%s among %j: %s', (word, candidates, meant) => {
    expect(suggest(word, candidates)).toBe(meant);
  });
});

describe('didYouMean', () => {
  it('hints at the nearest candidate, and says nothing for an exact word or a far one', () => {
    expect(didYouMean('tims', ['times', 'after'])).toBe(' (did you mean times?)');
    expect(didYouMean('times', ['times', 'after'])).toBe('');
    expect(didYouMean('bogus', ['times', 'after'])).toBe('');
  });
});
