import { readFileSync } from 'node:fs';
import { discoverAuthorizationServerMetadata, registerClient } from '@modelcontextprotocol/sdk/client/auth.js';
import * as oauth from 'oauth4webapi';
import * as openid from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODES, MODE_NAMES, type Mode } from '../../src/failures/catalogue.js';
import { parseFailSpec } from '../../src/failures/spec.js';
import type { RunningServer } from '../../src/server.js';
import { start } from '../support/server.js';
import { METADATA } from '../support/wire.js';

// Each registration failure mode, applied once, against each client library: does the registration
// throw, and with what? The answers are written to docs/client-checks.md; the test fails while that
// file says something else. `npx vitest run test/http/client-checks.test.ts -u` rewrites it.

const DOC = '../../docs/client-checks.md';

/** Short enough for a test run; the doc says which were used. */
const PARAMETERS: Partial<Record<Mode, string>> = { delay: 'ms=5', timeout: 'ms=100', slow_body: 'ms=20' };

interface Library {
  readonly name: string;
  readonly package: string;
  register(server: RunningServer): Promise<unknown>;
}

const LIBRARIES: readonly Library[] = [
  {
    name: 'openid-client',
    package: 'openid-client',
    register: (server) =>
      openid.dynamicClientRegistration(new URL(server.issuer), METADATA, undefined, {
        execute: [openid.allowInsecureRequests],
      }),
  },
  {
    name: 'oauth4webapi',
    package: 'oauth4webapi',
    register: async (server) => {
      const issuer = new URL(server.issuer);
      const as = await oauth.processDiscoveryResponse(
        issuer,
        await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true }),
      );
      const res = await oauth.dynamicClientRegistrationRequest(as, METADATA, { [oauth.allowInsecureRequests]: true });
      return oauth.processDynamicClientRegistrationResponse(res);
    },
  },
  {
    name: 'MCP SDK',
    package: '@modelcontextprotocol/sdk',
    register: async (server) => {
      const metadata = await discoverAuthorizationServerMetadata(server.url);
      return registerClient(server.url, { metadata: metadata!, clientMetadata: METADATA });
    },
  },
];

/** What a library did with one bad answer: handed over a client, or threw. */
type Outcome = { readonly accepted: true } | { readonly accepted: false; readonly error: unknown };

/** Error codes that only repeat the class's name. */
const IMPLIED_CODES = new Set(['OAUTH_RESPONSE_BODY_ERROR', 'OAUTH_WWW_AUTHENTICATE_CHALLENGE']);

/** The error as a caller tells it apart: its class, and the one property that says what went wrong. */
function described(error: unknown): string {
  const e = error as Record<string, unknown> & { constructor: { name: string } };
  const name = `\`${e.constructor.name}\``;
  const cause = e['cause'] as Record<string, unknown> | undefined;
  if (typeof e['error'] === 'string') return `${name}, \`error\`: \`${e['error']}\``;
  if (typeof e['errorCode'] === 'string') {
    return `${name}, \`errorCode\`: \`${e['errorCode']}\`${e['message'] === '' ? ', empty message' : ''}`;
  }
  if (Array.isArray(cause)) {
    const challenge = (cause[0] as { parameters?: { error?: string } } | undefined)?.parameters?.error;
    if (challenge) return `${name}, challenge \`error\`: \`${challenge}\``;
  }
  if (typeof e['code'] === 'string' && !IMPLIED_CODES.has(e['code'])) return `${name}, \`${e['code']}\``;
  if (Array.isArray(e['issues'])) {
    const paths = (e['issues'] as Array<{ path: unknown[] }>).map((issue) => issue.path.join('.'));
    return `${name} on \`${[...new Set(paths)].join('`, `')}\``;
  }
  if (cause && typeof cause['code'] === 'string')
    return `${name} "${String(e['message'])}", cause \`${cause['code']}\``;
  return name;
}

const cell = (outcome: Outcome): string => (outcome.accepted ? '**accepts**' : `rejects: ${described(outcome.error)}`);

const versionOf = (pkg: string): string =>
  (
    JSON.parse(readFileSync(new URL(`../../node_modules/${pkg}/package.json`, import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;

function markdown(outcomes: ReadonlyMap<Mode, readonly Outcome[]>, successes: ReadonlySet<Mode>): string {
  const inCell = (text: string) => text.replace(/\|/g, '\\|');
  const heads = LIBRARIES.map((l) => `${l.name} ${versionOf(l.package)}`);
  const rows = MODE_NAMES.map((mode) => {
    const spec = PARAMETERS[mode] ? `\`${mode}:${PARAMETERS[mode]}\`` : `\`${mode}\``;
    return `| ${spec} | ${inCell(MODES[mode].summary)} | ${outcomes.get(mode)!.map(cell).map(inCell).join(' | ')} |`;
  });
  const missed = MODE_NAMES.filter((mode) => !successes.has(mode))
    .map((mode) => ({ mode, by: LIBRARIES.filter((_, i) => outcomes.get(mode)![i]!.accepted).map((l) => l.name) }))
    .filter(({ by }) => by.length > 0)
    .map(({ mode, by }) => `\`${mode}\` (${by.length === LIBRARIES.length ? 'all of them' : by.join(', ')})`);
  const slow = [...successes].map((mode) => `\`${mode}\``).join(', ');
  return [
    '# What each client library notices',
    '',
    "Each failure mode of `POST /oidc/register`, applied once, against three client libraries' dynamic client",
    'registration: the error your code catches, or **accepts** when the library hands over a client as if nothing',
    'were wrong. A test that injects a mode its library accepts checks nothing.',
    '',
    `Failures not every library notices: ${missed.join('; ') || 'none'}.`,
    `Slow successes, which store the client and which every library should accept: ${slow}.`,
    '',
    'Generated by `test/http/client-checks.test.ts`; do not edit. It fails when the libraries behave otherwise, for',
    'example after an update: then `npx vitest run test/http/client-checks.test.ts -u` rewrites this file.',
    '',
    `| mode | the client receives | ${heads.join(' | ')} |`,
    `|---|---|${LIBRARIES.map(() => '---|').join('')}`,
    ...rows,
    '',
    'How each registers: openid-client `dynamicClientRegistration(issuer, metadata)`; oauth4webapi',
    '`discoveryRequest`, `dynamicClientRegistrationRequest`, `processDynamicClientRegistrationResponse`; the MCP SDK',
    '(`@modelcontextprotocol/sdk`) `discoverAuthorizationServerMetadata`, `registerClient`. The class is what',
    '`instanceof` tests; after it, the property that tells the cases apart: the OAuth `error` of the body, the MCP',
    "SDK's `errorCode`, the library's `code`, the challenge in `WWW-Authenticate`, or the `cause.code` of a network",
    'error.',
    '',
  ].join('\n');
}

describe('what each client library notices', () => {
  let server: RunningServer;
  const registrations: Array<(line: string) => void> = [];
  const outcomes = new Map<Mode, Outcome[]>();
  /** Modes under which the server stored the client: the slow successes. */
  const successes = new Set<Mode>();

  beforeAll(async () => {
    // Each registration is awaited through its log line, written once its exchange is over (even when
    // the library gave up first), so that the journal holds it when the test reads it.
    server = await start(
      { quiet: false, seed: 'client-checks' },
      { write: (line) => (line.startsWith('POST /oidc/register ') ? registrations.shift()?.(line) : undefined) },
    );
  });
  afterAll(() => server.close());

  it.each(MODE_NAMES)('%s', async (mode) => {
    const results: Outcome[] = [];
    for (const library of LIBRARIES) {
      await server.reset();
      const [rule] = parseFailSpec(`${mode}:${PARAMETERS[mode] ? `${PARAMETERS[mode]},` : ''}times=1`);
      server.plan.add(rule!);
      const logged = new Promise((resolve) => registrations.push(resolve));
      results.push(
        await library.register(server).then(
          () => ({ accepted: true }) as const,
          (error: unknown) => ({ accepted: false, error }) as const,
        ),
      );
      await logged;
      const [entry] = server.journal.list(1);
      expect(entry, `${library.name} under ${mode}`).toMatchObject({ path: '/oidc/register', failure: mode });
      if (entry?.client_id !== undefined) successes.add(mode);
    }
    outcomes.set(mode, results);
  });

  it('docs/client-checks.md says what the libraries did', async () => {
    expect([...outcomes.keys()]).toEqual(MODE_NAMES);
    await expect(markdown(outcomes, successes)).toMatchFileSnapshot(DOC);
  });
});
