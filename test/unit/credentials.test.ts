import { describe, expect, it } from 'vitest';
import { CredentialFactory } from '../../src/registration/credentials.js';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SECRET_ALPHABET = `${ID_ALPHABET}_-`;

/** For each position, the set of characters seen there over `values`. */
function charactersByPosition(values: readonly string[]): Set<string>[] {
  const seen = Array.from({ length: values[0]!.length }, () => new Set<string>());
  for (const value of values) for (let i = 0; i < value.length; i++) seen[i]!.add(value[i]!);
  return seen;
}

describe('CredentialFactory', () => {
  const factory = new CredentialFactory('credentials-test');
  const issued = Array.from({ length: 4000 }, (_, i) => factory.issue(i + 1, 'tpc_'));

  it('gives ids of tpc_ and 32 letters and digits, and secrets of 64 URL-safe characters', () => {
    for (const { client_id, client_secret } of issued) {
      expect(client_id).toMatch(/^tpc_[A-Za-z0-9]{32}$/);
      expect(client_secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    }
  });

  // Four characters come from each draw, as the digits of one number: a range one too small or too
  // large would leave a character out of some position, or put one in that does not belong.
  it('uses every character of its alphabet at every position', () => {
    const ids = charactersByPosition(issued.map((c) => c.client_id.slice(4)));
    const secrets = charactersByPosition(issued.map((c) => c.client_secret));
    for (const seen of ids) expect([...seen].sort().join('')).toBe([...ID_ALPHABET].sort().join(''));
    for (const seen of secrets) expect([...seen].sort().join('')).toBe([...SECRET_ALPHABET].sort().join(''));
  });

  it('spreads the characters evenly: no character of an alphabet is far from its share', () => {
    const counts = new Map<string, number>();
    for (const { client_secret } of issued) for (const ch of client_secret) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    const expected = (issued.length * 64) / SECRET_ALPHABET.length;
    // 4,000 secrets: 4,000 of each character expected, a standard deviation of ~63.
    for (const ch of SECRET_ALPHABET) expect(Math.abs((counts.get(ch) ?? 0) - expected)).toBeLessThan(expected * 0.08);
  });

  it('gives the same credentials for the same (seed, n), and others for another seed or n', () => {
    const again = new CredentialFactory('credentials-test');
    expect(again.issue(17, 'tpc_')).toEqual(issued[16]);
    expect(new Set(issued.map((c) => c.client_id)).size).toBe(issued.length);
    expect(new CredentialFactory('another seed').issue(17, 'tpc_').client_id).not.toBe(issued[16]!.client_id);
  });
});
