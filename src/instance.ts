import { performance } from 'node:perf_hooks';
import { createApp, type Route } from './app.js';
import { Apis } from './authorization/apis.js';
import { type AuthorizationControl, authorizationControl } from './authorization/control.js';
import { CimdClients } from './authorization/cimd.js';
import { authClientOf } from './authorization/clients.js';
import { KeySet, loadSigningKey } from './authorization/keys.js';
import { type RefreshFamilyRecord, toRefreshFamilies } from './authorization/refresh-records.js';
import { AuthorizationService } from './authorization/service.js';
import { Users } from './authorization/users.js';
import { ServerClock } from './clock.js';
import type { Config } from './config.js';
import { RequestJournal } from './control/journal.js';
import { controlHandler } from './control/routes.js';
import { advertisedUrls, discoveryDocument } from './discovery.js';
import { StartupError } from './errors.js';
import { answeringEndpoint } from './failures/apply.js';
import { Chance } from './failures/chance.js';
import { OpenFaults } from './failures/network.js';
import { FailurePlan } from './failures/rules.js';
import { jsonAnswer } from './http/answer.js';
import { type Exchange, run } from './http/exchange.js';
import { routedPath } from './http/issuer-path.js';
import { lazyHandler } from './http/lazy.js';
import { OriginPolicy } from './http/origins.js';
import { sentAnswer } from './http/sent.js';
import { createJsonServerFallback } from './json-server.js';
import { RegistrationGate } from './limits/gate.js';
import { type RequestRecord, createRequestLogger } from './log.js';
import { mcpResource, prmDocument } from './mcp/resource.js';
import { CredentialFactory } from './registration/credentials.js';
import { registrationEndpoint } from './registration/endpoint.js';
import { fixtureRecord } from './registration/fixtures.js';
import { ClientIssuer } from './registration/issue.js';
import { CLIENT_URI_PREFIX, ClientManager, managementHandler } from './registration/management.js';
import { profileSpec } from './registration/profiles.js';
import { loadVerificationKeys } from './registration/statement-keys.js';
import { validateClientMetadata, withStatement } from './registration/validate.js';
import type { Data } from './store/shape.js';
import { Store } from './store/store.js';
import { VERSION } from './version.js';

/** The db.json collection of refresh-token families. */
const REFRESH_TOKENS = 'refresh_tokens';

export interface InstanceHooks {
  /** Where request log lines go. */
  readonly write: (line: string) => void;
  /** Where warnings and unexpected errors are reported. */
  readonly report: (line: string) => void;
  /** What `POST /__dcr/reset` does; default the instance's own reset (the server's resets its tenants too). */
  readonly reset?: () => Promise<void>;
}

/**
 * Everything one issuer is made of: its store, failure rules, clock, journal, keys, clients and
 * endpoints. The server holds one, and one more for each tenant, all behind the same port.
 */
export interface Instance {
  readonly store: Store;
  readonly plan: FailurePlan;
  readonly journal: RequestJournal;
  readonly clock: ServerClock;
  readonly authorization: AuthorizationControl;
  readonly faults: OpenFaults;
  /** Its issuer, ending in `/`: empty until `place`. */
  issuer(): string;
  /** Where it answers, known once the server listens: its issuer and the server's origin. */
  place(issuer: string, origin: string): void;
  /** Adds the fixtures the store lacks; returns how many. */
  preload(): Promise<number>;
  /**
   * Answers a request: routed by the issuer's path, journaled and logged when the route is, `closed`
   * called once the exchange ends. `route`, when given, answers in place of the instance's own routes.
   */
  serve(ex: Exchange, started: number, closed: () => void, route?: Route): void;
  /** Forgets clients (fixtures come back), journal and run-time rules; rewinds the sequence and the seeded draws. */
  reset(): Promise<void>;
}

export async function assembleInstance(config: Config, hooks: InstanceHooks): Promise<Instance> {
  const { write, report } = hooks;
  const serverClock = new ServerClock(config.clock);
  const clock = serverClock.now;
  const keys = config.softwareStatementKey && (await loadVerificationKeys(config.softwareStatementKey));
  const store = await Store.open(config.db, { warn: report, check: refreshTokensProblem });
  const profile = profileSpec(config.profile);
  const oidcRules = config.oidcRules ?? profile.oidcRules ?? false;
  const credentials = new CredentialFactory(config.seed);
  const statement = (body: unknown) => withStatement(body, keys, clock);
  const metadataOf = (body: unknown) => validateClientMetadata(body, { oidcRules });
  const clientIssuer = new ClientIssuer(store, {
    profile,
    credentials,
    clock,
    ids: config.ids,
    oidcRules,
    issuer: () => issuer,
  });
  const manager = new ClientManager({
    store,
    profile,
    credentials,
    clock,
    oidcRules,
    metadataOf: async (body) => metadataOf(await statement(body)),
    issuer: clientIssuer,
    rotateRegistrationToken: config.rotateRegistrationToken,
  });
  const gate = new RegistrationGate({
    rateLimit: config.rateLimit,
    initialAccessTokens: config.initialAccessToken,
    maxClients: config.maxClients,
    clientCount: () => store.clients.length,
    clock,
  });
  const plan = new FailurePlan(new Chance(config.seed), config.failures, config.latency);
  const journal = new RequestJournal();
  const faults = new OpenFaults();
  const logRequest = config.quiet ? undefined : createRequestLogger(config.log, write);
  const fixtures = config.fixtures.map((fixture) => fixtureRecord(fixture, { profile, credentials, clock, oidcRules }));
  // Lazy: nothing is derived until a key is asked for, so a start that issues no token pays nothing.
  const signingKeys = new KeySet({
    seed: config.seed,
    file: config.signingKey === undefined ? undefined : await loadSigningKey(config.signingKey),
  });
  let issuer = '';
  const firstParty = new Set(config.fixtures.map((fixture) => fixture.client_id));
  const refreshRecords = toRefreshFamilies(store.records(REFRESH_TOKENS));
  if (typeof refreshRecords === 'string') {
    await store.close();
    throw new StartupError(
      `Failed to read ${store.path}: ${refreshRecords}. Fix or remove that record (POST /__dcr/reset empties the store).`,
      1,
    );
  }
  const cimd = config.cimd
    ? new CimdClients({ fetchFrom: config.cimdFetch, documents: config.cimdDocuments })
    : undefined;
  const authorization = new AuthorizationService({
    seed: config.seed,
    issuer: () => issuer,
    clock,
    keys: signingKeys,
    users: new Users(config.seed, config.users),
    apis: new Apis(config.apis, () => [mcpResource(issuer)]),
    login: config.login,
    issParam: config.issParam,
    resourceParam: config.resourceParam === 'on',
    dialect: config.tokenDialect,
    refreshReuseLeeway: config.refreshReuseLeeway,
    refreshAbsoluteLifetime: config.refreshAbsoluteLifetime,
    refreshIdleLifetime: config.refreshIdleLifetime,
    client: (id) => {
      const record = store.get(id);
      return (
        record && authClientOf(record, { firstParty: firstParty.has(id), strictProfile: config.profile === 'auth0' })
      );
    },
    persist: ({ record }) => store.put(REFRESH_TOKENS, record),
    cimd,
    refreshRecords,
  });
  // db.json edited by hand and read again: the families are the file's (with the journal's newest changes).
  store.onReload(() => authorization.refresh.restore(store.records(REFRESH_TOKENS) as RefreshFamilyRecord[]));
  const reset = async () => {
    serverClock.reset();
    plan.reset();
    gate.reset();
    journal.clear();
    authorization.clear();
    signingKeys.reset();
    await store.reset(fixtures, [REFRESH_TOKENS]);
  };
  const failureDeps = { plan, faults, clock };
  let origin = '';
  const control = authorizationControl(authorization, signingKeys, () => origin, cimd);

  const route = createApp({
    register: registrationEndpoint({ issuer: clientIssuer, statement, metadataOf, plan, faults, clock, gate }),
    manage: managementHandler(profile, manager),
    control: controlHandler({
      store,
      plan,
      journal,
      adminToken: config.adminToken,
      version: VERSION,
      profile: config.profile,
      urls: () => ({
        ...advertisedUrls(discoveryDocument(issuer, { issParam: config.issParam, cimd: config.cimd })),
        client_configuration: profile.management ? `${issuer}${CLIENT_URI_PREFIX.slice(1)}` : null,
      }),
      started: performance.now(),
      clock: serverClock,
      authorization: control,
      reset: hooks.reset ?? reset,
    }),
    discovery: answeringEndpoint('discovery', failureDeps, () =>
      jsonAnswer(200, discoveryDocument(issuer, { issParam: config.issParam, cimd: config.cimd })),
    ),
    jwks: answeringEndpoint('jwks', failureDeps, async (_ex, variant) => {
      // unknown_kid: a JWKS that lacks the key that signs, another in its place.
      const jwks =
        variant === 'unknown_kid' ? { keys: [(await signingKeys.outsider()).publicJwk] } : await signingKeys.jwks();
      return jsonAnswer(200, jwks);
    }),
    // The authorization server's endpoints and /mcp load on their first request: a start that only
    // registers clients never imports them (nor jose, nor the MCP SDK).
    authorize: lazyHandler(async () =>
      (await import('./authorization/authorize-endpoint.js')).authorizeEndpoint({
        ...failureDeps,
        service: authorization,
      }),
    ),
    consent: lazyHandler(async () =>
      (await import('./authorization/authorize-endpoint.js')).consentEndpoint(authorization),
    ),
    login: lazyHandler(async () =>
      (await import('./authorization/authorize-endpoint.js')).loginEndpoint(authorization),
    ),
    token: lazyHandler(async () =>
      (await import('./authorization/token-endpoint.js')).tokenEndpoint({ ...failureDeps, service: authorization }),
    ),
    revoke: lazyHandler(async () =>
      (await import('./authorization/revoke-endpoint.js')).revokeEndpoint({ ...failureDeps, service: authorization }),
    ),
    userinfo: lazyHandler(async () =>
      (await import('./authorization/userinfo-endpoint.js')).userinfoEndpoint({
        ...failureDeps,
        service: authorization,
      }),
    ),
    prm: answeringEndpoint('prm', failureDeps, () => jsonAnswer(200, prmDocument(issuer))),
    mcp: lazyHandler(async () =>
      (await import('./mcp/endpoint.js')).mcpEndpoint({
        ...failureDeps,
        tokens: authorization.tokens,
        issuer: () => issuer,
      }),
    ),
    fallback: createJsonServerFallback(store.db, (err, req) =>
      report(
        `[dcr-mock] Unexpected error on ${req.method} ${req.url?.split('?', 1)[0]}: ${(err as Error)?.stack ?? String(err)}`,
      ),
    ),
    adminToken: config.adminToken,
    origins: new OriginPolicy({ corsOrigins: config.corsOrigin, issuer: () => issuer }),
  });
  // An issuer with a path serves every endpoint under it (known once the server listens).
  let issuerPath = '/';
  const routed = (ex: Exchange): Exchange => {
    if (issuerPath === '/') return ex;
    const path = routedPath(ex.path, issuerPath);
    return path === ex.path ? ex : { ...ex, path };
  };
  const onUnexpected = (err: unknown, ex: Exchange) =>
    report(`[dcr-mock] Unexpected error on ${ex.req.method} ${ex.path}: ${(err as Error)?.stack ?? String(err)}`);

  const serve = (sent: Exchange, started: number, closed: () => void, given?: Route) => {
    const ex = routed(sent);
    const { handler, journaled } = given ?? route(ex);
    const { res } = ex;
    // One listener for all that waits on the end of the exchange: Node copies its list of listeners when there are several.
    res.on('close', () => {
      closed();
      if (!journaled) return;
      const entry = record(ex, started, clock());
      const query = ex.req.url!.length > ex.path.length ? ex.query.toString() : undefined;
      const about = query === undefined && ex.grantType === undefined ? undefined : { query, grantType: ex.grantType };
      journal.record(entry, ex.text, ex.clientId, sentAnswer(res), about);
      // The log shows the path as sent (`/t/a/authorize`); the journal, as the instance routes it.
      logRequest?.(ex === sent ? entry : { ...entry, path: sent.path });
    });
    // Every request but the control plane's and the inspector's is journaled: json-server's routes and preflights included.
    run(handler, ex, onUnexpected);
  };

  return {
    store,
    plan,
    journal,
    clock: serverClock,
    authorization: control,
    faults,
    // A method, not a getter: an object literal with an accessor costs every start a slower stop (more of it
    // outlives the young generation).
    issuer: () => issuer,
    place(at, from) {
      issuer = at;
      issuerPath = new URL(at).pathname;
      origin = from;
    },
    preload: () => store.preload(fixtures),
    serve,
    reset,
  };
}

/** Why db.json's refresh-token families are unusable, if they are (a version edited by hand is not read then). */
function refreshTokensProblem(data: Data): string | undefined {
  const records = toRefreshFamilies(data[REFRESH_TOKENS] ?? []);
  return typeof records === 'string' ? records : undefined;
}

function record(ex: Exchange, started: number, now: Date): RequestRecord {
  const { req, res } = ex;
  return {
    at: now.getTime(),
    method: req.method ?? 'GET',
    path: ex.path,
    // 0: the connection ended without a status line (reset, empty response, a client that gave up).
    status: res.headersSent ? res.statusCode : 0,
    ms: Math.round((performance.now() - started) * 100) / 100,
    failure: ex.failure,
  };
}
