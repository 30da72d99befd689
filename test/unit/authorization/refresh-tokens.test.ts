import { describe, expect, it } from 'vitest';
import type { OAuthError } from '../../../src/errors.js';
import { seededDraw } from '../../../src/authorization/draw.js';
import { type RefreshTokenChange, toRefreshFamilies } from '../../../src/authorization/refresh-records.js';
import { type RefreshTokensOptions, RefreshTokens } from '../../../src/authorization/refresh-tokens.js';
import { testClock } from './clock.js';

const grant = {
  client_id: 'tpc_a',
  sub: 'auth0|1',
  scope: ['openid', 'profile', 'offline_access'],
  audience: 'https://api',
};
const invalid = { status: 403, error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' };

function families(options: Partial<RefreshTokensOptions> = {}) {
  const { clock, advance } = testClock();
  const changes: RefreshTokenChange[] = [];
  const store = new RefreshTokens({
    draw: seededDraw('dcr-mock'),
    clock,
    persist: (change) => void changes.push(structuredClone(change)),
    ...options,
  });
  return { store, advance, changes };
}

async function refusal(run: () => Promise<unknown>) {
  try {
    await run();
    return undefined;
  } catch (err) {
    return { status: (err as OAuthError).status, ...(err as OAuthError).toBody() };
  }
}

const exchange = (store: RefreshTokens, token: string | undefined, scope?: string) =>
  store.exchange({ refresh_token: token, client_id: 'tpc_a', scope });

describe('refresh-token rotation', () => {
  it('gives a new token on each use, and the one before stops working', async () => {
    const { store } = families();
    const { refresh_token: first } = await store.issue(grant);
    expect(first).toMatch(/^v1\.[A-Za-z0-9_-]{76}$/);
    const second = await exchange(store, first);
    expect(second.refresh_token).not.toBe(first);
    expect(second.scope).toEqual(grant.scope);
    const third = await exchange(store, second.refresh_token);
    expect(third.record.generation).toBe(3);
  });

  it('revokes the whole family when a rotated-out token comes back', async () => {
    const { store, changes } = families();
    const { refresh_token: first } = await store.issue(grant);
    const { refresh_token: second } = await exchange(store, first);
    expect(await refusal(() => exchange(store, first))).toEqual(invalid);
    expect(store.list()[0]).toMatchObject({ revoked_reason: 'reuse', revoked_at: expect.any(Number) });
    // The live token was revoked with it.
    expect(await refusal(() => exchange(store, second))).toEqual(invalid);
    expect(changes.map((c) => [c.op, c.record.revoked_reason])).toEqual([
      ['insert', null],
      ['update', null],
      ['update', 'reuse'],
    ]);
  });

  it.each([
    ['within the leeway, the token exchanged last works again', 10, 10, true],
    ['past the leeway, it is reuse', 10, 11, false],
    ['with no leeway (the default), at once it is reuse', undefined, 0, false],
  ])('%s', async (_, reuseLeeway, after, accepted) => {
    const { store, advance } = families({ reuseLeeway });
    const { refresh_token: first } = await store.issue(grant);
    const { refresh_token: second } = await exchange(store, first);
    advance(after);
    const again = await refusal(() => exchange(store, first));
    expect(again).toEqual(accepted ? undefined : invalid);
    expect(store.list()[0]!.revoked_reason).toBe(accepted ? null : 'reuse');
    if (accepted) await expect(refusal(() => exchange(store, second))).resolves.toEqual(invalid);
  });

  it('lets only the token exchanged last back within the leeway, not the one before it', async () => {
    const { store } = families({ reuseLeeway: 60 });
    const { refresh_token: first } = await store.issue(grant);
    const { refresh_token: second } = await exchange(store, first);
    await exchange(store, second);
    expect(await refusal(() => exchange(store, first))).toEqual(invalid);
    expect(store.list()[0]!.revoked_reason).toBe('reuse');
  });
});

describe('refresh tokens without rotation', () => {
  it('stay the same token, usable again and again, and none comes back', async () => {
    const { store } = families({ rotation: false });
    const { refresh_token: token } = await store.issue(grant);
    for (let i = 0; i < 3; i++) expect((await exchange(store, token)).refresh_token).toBeUndefined();
  });
});

describe('refresh-token lifetimes', () => {
  it.each([
    ['absolute, counted from the authorization', { absoluteLifetime: 100, idleLifetime: null }, [50, 49], 1],
    ['idle, counted from the last exchange', { idleLifetime: 100 }, [99, 99], 100],
  ])('%s', async (_, options, steps, last) => {
    const { store, advance } = families(options);
    let { refresh_token: token } = await store.issue(grant);
    for (const step of steps) {
      advance(step);
      token = (await exchange(store, token)).refresh_token!;
    }
    advance(last);
    expect(await refusal(() => exchange(store, token))).toEqual(invalid);
    // Expired is not reuse: the family is not marked revoked.
    expect(store.list()[0]!.revoked_at).toBeNull();
  });

  it("default to Auth0's 30 days absolute and 15 days idle", async () => {
    const { store, advance } = families();
    let { refresh_token: token } = await store.issue(grant);
    advance(1_296_000 - 1);
    token = (await exchange(store, token)).refresh_token!;
    advance(1_296_000 - 1);
    token = (await exchange(store, token)).refresh_token!;
    advance(2);
    expect(await refusal(() => exchange(store, token))).toEqual(invalid);
  });

  it("are shown in each family's view: live until the sooner end, then expired; revoked beats both", async () => {
    const { store, advance } = families({ absoluteLifetime: 1000, idleLifetime: 100 });
    const { refresh_token: token } = await store.issue(grant);
    const issued = store.list()[0]!.created_at;
    expect(store.views()).toMatchObject([{ state: 'live', expires_at: issued + 100 }]);
    advance(99);
    const { record } = await exchange(store, token);
    expect(store.views()).toMatchObject([{ state: 'live', expires_at: record.issued_at + 100 }]);
    advance(100);
    expect(store.views()).toMatchObject([{ state: 'expired', revoked_at: null }]);
    const { refresh_token: second } = await store.issue(grant);
    await store.revoke(second, grant.client_id);
    expect(store.views().map((view) => view.state)).toEqual(['expired', 'revoked']);
    const forever = families({ absoluteLifetime: null, idleLifetime: null }).store;
    await forever.issue(grant);
    expect(forever.views()).toMatchObject([{ state: 'live', expires_at: null }]);
  });
});

describe('refresh-token scope', () => {
  it.each([
    ['kept when not asked', undefined, ['openid', 'profile', 'offline_access']],
    ['kept when empty', '', ['openid', 'profile', 'offline_access']],
    ['narrowed', 'openid', ['openid']],
  ])('is %s', async (_, scope, expected) => {
    const { store } = families();
    const { refresh_token: token } = await store.issue(grant);
    const result = await exchange(store, token, scope);
    expect(result.scope).toEqual(expected);
    // The family keeps what was granted: the next refresh may ask for all of it again.
    expect((await exchange(store, result.refresh_token, 'openid profile')).scope).toEqual(['openid', 'profile']);
  });

  it('is never widened: invalid_scope, and nothing changes', async () => {
    const { store, changes } = families();
    const { refresh_token: token } = await store.issue(grant);
    expect(await refusal(() => exchange(store, token, 'openid email'))).toEqual({
      status: 400,
      error: 'invalid_scope',
      error_description:
        'scope must be within the scope granted ("openid profile offline_access"); email was not granted',
    });
    expect(changes).toHaveLength(1);
    expect((await exchange(store, token)).refresh_token).toBeDefined();
  });
});

describe('refused refresh tokens', () => {
  it.each([
    ['an unknown token', (t: string) => `${t.slice(0, -1)}${t.endsWith('A') ? 'B' : 'A'}`, 'tpc_a'],
    [
      'a token of a generation not issued yet',
      (t: string) =>
        t.replace(/^v1\.[A-Za-z0-9_-]{12}/, `v1.${Buffer.from([0, 0, 0, 0, 1, 0, 0, 0, 9]).toString('base64url')}`),
      'tpc_a',
    ],
    ['garbage', () => 'not a token', 'tpc_a'],
    ['no token', () => undefined, 'tpc_a'],
    ["another client's token", (t: string) => t, 'tpc_b'],
  ])('refuses %s, changing nothing', async (_, tamper, clientId) => {
    const { store, changes } = families();
    const { refresh_token: token } = await store.issue(grant);
    expect(await refusal(() => store.exchange({ refresh_token: tamper(token), client_id: clientId }))).toEqual(invalid);
    expect(changes).toHaveLength(1);
    expect((await exchange(store, token)).refresh_token).toBeDefined();
  });
});

describe('revocation', () => {
  it("revokes the holder's whole family, and no one else's", async () => {
    const { store } = families();
    const { refresh_token: token } = await store.issue(grant);
    const { refresh_token: other } = await store.issue({ ...grant, sub: 'auth0|2' });
    expect(await store.revoke(token, 'tpc_b')).toBe(false);
    expect(await store.revoke('nonsense', 'tpc_a')).toBe(false);
    expect(await store.revoke(token, 'tpc_a')).toBe(true);
    expect(await store.revoke(token, 'tpc_a')).toBe(true);
    expect(await refusal(() => exchange(store, token))).toEqual(invalid);
    expect((await exchange(store, other)).refresh_token).toBeDefined();
    expect(await store.revokeAll()).toBe(1);
    expect(await refusal(() => exchange(store, other))).toEqual(invalid);
  });

  it('revokeAll counts the families it revoked: none already revoked, none past a lifetime', async () => {
    const { store, advance, changes } = families({ absoluteLifetime: 1000, idleLifetime: null });
    const { refresh_token: revoked } = await store.issue(grant);
    await store.revoke(revoked, 'tpc_a');
    await store.issue(grant);
    advance(600);
    await store.issue({ ...grant, sub: 'auth0|2' });
    advance(400);
    const before = changes.length;
    expect(store.views().map((f) => f.state)).toEqual(['revoked', 'expired', 'live']);
    expect(await store.revokeAll()).toBe(1);
    expect(store.views().map((f) => [f.sub, f.state, f.revoked_reason])).toEqual([
      ['auth0|1', 'revoked', 'revoked'],
      ['auth0|1', 'expired', null],
      ['auth0|2', 'revoked', 'revoked'],
    ]);
    // Only the live family was written again.
    expect(changes.slice(before).map((c) => c.record.sub)).toEqual(['auth0|2']);
    expect(await store.revokeAll()).toBe(0);
  });
});

describe('storage', () => {
  it('keeps plain JSON records that a restart restores, tokens and reuse detection included', async () => {
    const { store, changes } = families();
    const { refresh_token: first } = await store.issue(grant);
    const { refresh_token: second } = await exchange(store, first);
    const saved = JSON.parse(JSON.stringify(store.list()));
    expect(toRefreshFamilies(saved)).toEqual(saved);
    expect(changes.at(-1)!.record).toEqual(saved[0]);

    const { store: restarted } = families({ records: saved });
    expect(await refusal(() => exchange(restarted, first))).toEqual(invalid);
    const { store: again } = families({ records: saved });
    expect((await exchange(again, second)).refresh_token).toBeDefined();
    // New families follow on from the stored ones, so no value is drawn twice.
    expect((await again.issue(grant)).record.n).toBe(2);
  });

  it('gives the same tokens for the same seed and requests, and again after a reset', async () => {
    const run = async (store: RefreshTokens) => {
      const { refresh_token: a } = await store.issue(grant);
      return [a, (await exchange(store, a)).refresh_token];
    };
    const first = await run(families().store);
    expect(await run(families().store)).toEqual(first);
    const { store } = families();
    await run(store);
    store.restore([]);
    expect(await run(store)).toEqual(first);
    const other = new RefreshTokens({ draw: seededDraw('another'), clock: testClock().clock });
    expect((await other.issue(grant)).refresh_token).not.toBe(first[0]);
  });

  it('undoes a change in memory when the store fails to keep it', async () => {
    let fail = false;
    const { store } = families({
      persist: () => {
        if (fail) throw new Error('disk full');
      },
    });
    const { refresh_token: token } = await store.issue(grant);
    fail = true;
    await expect(exchange(store, token)).rejects.toThrow('disk full');
    expect(store.list()[0]!.generation).toBe(1);
    fail = false;
    expect((await exchange(store, token)).record.generation).toBe(2);
  });

  it('sees a token spent as soon as its exchange starts, while the first is still being stored', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const { store } = families({ persist: (change) => (change.op === 'update' ? held : undefined) });
    const { refresh_token: token } = await store.issue(grant);
    const first = exchange(store, token);
    const second = refusal(() => exchange(store, token));
    release();
    expect((await first).record.generation).toBe(2);
    expect(await second).toEqual(invalid);
  });

  it.each([
    [{}, '"refresh_tokens" must be an array'],
    [[7], 'refresh_tokens[0] must be an object'],
    [[{ id: 'rtf_1', n: 0 }], 'refresh_tokens[0].n must be a whole number from 1'],
    [
      [{ id: 'rtf_1', n: 1, client_id: 'c', sub: 's', scope: 'openid' }],
      'refresh_tokens[0].scope must be an array of strings',
    ],
  ])('refuses stored records that cannot be used: %j', (records, why) => {
    expect(toRefreshFamilies(records)).toBe(why);
  });
});
