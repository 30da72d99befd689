import { describe, expect, it } from 'vitest';
import { parseBody } from '../../src/http/body.js';

describe('parseBody', () => {
  it.each([
    ['JSON, whatever the type says', '{"a":1}', 'text/plain', ['json'], { ok: true, value: { a: 1 } }],
    ['JSON without a type', '[1,2]', undefined, ['json'], { ok: true, value: [1, 2] }],
    ['not JSON', 'a=1', 'application/x-www-form-urlencoded', ['json'], { ok: false, value: undefined }],
    ['an empty body', '', 'application/json', ['json'], { ok: false, value: undefined }],
    [
      'JSON where both are taken',
      '{"grant_type":"x"}',
      'application/json',
      ['json', 'form'],
      { ok: true, value: { grant_type: 'x' } },
    ],
  ] as const)('%s', (_name, text, type, encodings, expected) => {
    expect(parseBody(text, type, encodings)).toEqual(expected);
  });

  it('reads a form where the endpoint takes one, by its type, charset and case aside', () => {
    for (const type of ['application/x-www-form-urlencoded', 'Application/X-WWW-Form-Urlencoded; charset=UTF-8']) {
      const parsed = parseBody('grant_type=authorization_code&code=a%2Bb&scope=openid+email', type, ['json', 'form']);
      expect(parsed.ok).toBe(true);
      expect({ ...(parsed.value as object) }).toEqual({
        grant_type: 'authorization_code',
        code: 'a+b',
        scope: 'openid email',
      });
    }
  });

  it('keeps every value of a repeated parameter, for the endpoint to refuse, and takes no prototype keys', () => {
    const parsed = parseBody('a=1&a=2&a=3&__proto__=x', 'application/x-www-form-urlencoded', ['json', 'form']);
    const value = parsed.value as Record<string, unknown>;
    expect(value['a']).toEqual(['1', '2', '3']);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(value)).toBeNull();
  });
});
