import { describe, expect, it } from 'vitest';
import { StartupError } from '../../../src/errors.js';
import { Users, claimsFor, defaultUser, fixtureUsers } from '../../../src/authorization/users.js';

describe('the default user', () => {
  it('is an Auth0 database user drawn from the seed', () => {
    const user = defaultUser('dcr-mock');
    expect(user).toEqual({
      sub: expect.stringMatching(/^auth0\|[0-9a-f]{24}$/),
      email: 'user@example.com',
      email_verified: true,
      name: 'user@example.com',
    });
    expect(defaultUser('dcr-mock')).toEqual(user);
    expect(defaultUser('another').sub).not.toBe(user.sub);
  });
});

describe('claimsFor', () => {
  const user = {
    sub: 'auth0|1',
    name: 'Ada',
    nickname: 'ada',
    email: 'ada@example.com',
    email_verified: false,
    phone_number: '+1 555',
    'https://example.com/roles': ['admin'],
  };
  it.each([
    [['openid'], { sub: 'auth0|1', 'https://example.com/roles': ['admin'] }],
    [
      ['openid', 'email'],
      { sub: 'auth0|1', email: 'ada@example.com', email_verified: false, 'https://example.com/roles': ['admin'] },
    ],
    [['openid', 'profile'], { sub: 'auth0|1', name: 'Ada', nickname: 'ada', 'https://example.com/roles': ['admin'] }],
    [['openid', 'phone'], { sub: 'auth0|1', phone_number: '+1 555', 'https://example.com/roles': ['admin'] }],
  ])('releases, for %j, the claims of those scopes and the namespaced ones', (scope, claims) => {
    expect(claimsFor(user, scope)).toEqual(claims);
  });
});

describe('fixture users', () => {
  it('keeps any claims, and draws a stable sub for those without one', () => {
    const users = fixtureUsers(
      [
        { sub: 'auth0|fixed', email: 'a@example.com' },
        { email: 'b@example.com', role: 'x' },
      ],
      'seed',
    );
    expect(users[0]).toEqual({ sub: 'auth0|fixed', email: 'a@example.com' });
    expect(users[1]).toEqual({
      sub: expect.stringMatching(/^auth0\|[0-9a-f]{24}$/),
      email: 'b@example.com',
      role: 'x',
    });
    // The same user, placed after another, keeps its sub: it is drawn from its email.
    expect(fixtureUsers([{ email: 'c@example.com' }, { email: 'b@example.com' }], 'seed')[1]!.sub).toBe(users[1]!.sub);
  });

  it.each([
    ['not an array', { users: [] }, /"users" must be an array of objects, got \{"users":\[\]\}/],
    ['an entry not an object', ['ada'], /users\[0\] must be an object of claims, got "ada"/],
    ['an empty sub', [{ sub: '' }], /users\[0\].sub must be a non-empty string, got ""/],
    ['a number for email', [{}, { email: 7 }], /users\[1\].email must be a string, got 7/],
    ['a string for email_verified', [{ email_verified: 'yes' }], /users\[0\].email_verified must be true or false/],
    ['a repeated sub', [{ sub: 'auth0|1' }, { sub: 'auth0|1' }], /users\[1\].sub must be unique/],
  ])('refuses %s, naming the entry', (_, entries, why) => {
    expect(() => fixtureUsers(entries, 'seed')).toThrow(StartupError);
    expect(() => fixtureUsers(entries, 'seed')).toThrow(why);
    expect(() => fixtureUsers(entries, 'seed')).toThrow(
      /^Failed to load the fixture users: .*\. Fix that entry of "users"\.$/,
    );
  });
});

describe('Users', () => {
  const fixtures = fixtureUsers(
    [
      { sub: 'auth0|ada', email: 'Ada@Example.com', preferred_username: 'ada' },
      { sub: 'auth0|bob', email: 'bob@example.com', nickname: 'bobby' },
    ],
    'seed',
  );
  const users = new Users('seed', fixtures);

  it('lists the default user first, then the fixtures', () => {
    expect(users.list.map((u) => u.sub)).toEqual([defaultUser('seed').sub, 'auth0|ada', 'auth0|bob']);
    expect(users.default).toEqual(defaultUser('seed'));
  });

  it.each([
    ['a sub', 'auth0|bob', 'auth0|bob'],
    ['an email, in any case', 'ada@example.COM', 'auth0|ada'],
    ['the default email', 'user@example.com', defaultUser('seed').sub],
    ['a preferred_username', 'ada', 'auth0|ada'],
    ['a nickname', 'bobby', 'auth0|bob'],
    ['nobody', 'carol@example.com', undefined],
  ])('finds by login_hint %s', (_, hint, sub) => {
    expect(users.byLoginHint(hint)?.sub).toBe(sub);
  });

  it("lets a fixture with the default user's sub change its claims", () => {
    const changed = new Users('seed', [{ sub: defaultUser('seed').sub, email: 'me@example.com', name: 'Me' }]);
    expect(changed.list).toHaveLength(1);
    expect(changed.default).toEqual({ sub: defaultUser('seed').sub, email: 'me@example.com', name: 'Me' });
  });
});
