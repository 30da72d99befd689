import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { RequestJournal } from './control/journal.js';
import { Drain } from './http/drain.js';
import { controlHandler } from './control/routes.js';
import { defaultIssuer } from './discovery.js';
import { Chance } from './failures/chance.js';
import { OpenFaults } from './failures/network.js';
import { FailurePlan } from './failures/rules.js';
import { createJsonServerFallback } from './json-server.js';
import { createRequestLogger } from './log.js';
import { RegistrationGate } from './limits/gate.js';
import { registrationHandler } from './registration/handler.js';
import { managementHandler } from './registration/management.js';
import { profileSpec } from './registration/profiles.js';
import { Registrar } from './registration/registrar.js';
import { Store } from './store/store.js';
import { VERSION } from './version.js';

/** How long a stop waits for requests in flight before cutting their sockets. */
const DRAIN_MS = 3000;

export interface RunningServer {
  readonly url: string;
  readonly issuer: string;
  readonly registrationEndpoint: string;
  readonly store: Store;
  readonly plan: FailurePlan;
  readonly journal: RequestJournal;
  /** How many fixtures this start added to the store (the others were there already). */
  readonly fixturesAdded: number;
  /** Forgets clients (fixtures come back), journal and run-time rules; rewinds the sequence and the seeded draws. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface ServerHooks {
  /** Where request log lines go; default stdout. */
  readonly write?: (line: string) => void;
  /** Where unexpected errors are reported; default stderr. */
  readonly report?: (line: string) => void;
}

export async function startServer(config: Config, hooks: ServerHooks = {}): Promise<RunningServer> {
  const write = hooks.write ?? ((line: string) => process.stdout.write(line));
  const report = hooks.report ?? ((line: string) => process.stderr.write(`${line}\n`));
  const clock = config.clock ? () => new Date(config.clock!.getTime()) : () => new Date();
  const store = await Store.open(config.db);
  const registrar = new Registrar(store, profileSpec(config.profile), config.seed, clock, {
    issuer: () => issuer,
    ids: config.ids,
    oidcRules: config.oidcRules,
    softwareStatementKeys: config.softwareStatementKey,
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
  const fixtures = config.fixtures.map((fixture) => registrar.fixtureRecord(fixture));
  const reset = async () => {
    plan.reset();
    gate.reset();
    journal.clear();
    await store.reset(fixtures);
  };
  let issuer = '';

  const drain = new Drain();
  const app = createApp({
    register: registrationHandler({ registrar, plan, faults, clock, gate }),
    manage: managementHandler(registrar),
    control: controlHandler({
      store,
      plan,
      journal,
      adminToken: config.adminToken,
      version: VERSION,
      profile: config.profile,
      started: performance.now(),
      reset,
    }),
    clock,
    issuer: () => issuer,
    fallback: createJsonServerFallback(store.db, (err, req) =>
      report(
        `[dcr-mock] Unexpected error on ${req.method} ${req.url?.split('?', 1)[0]}: ${(err as Error)?.stack ?? String(err)}`,
      ),
    ),
    adminToken: config.adminToken,
    onClosed: (res) => drain.done(res),
    onRecord: (record, ex) => {
      journal.record(record, ex.text, ex.clientId);
      logRequest?.(record);
    },
    onUnexpected: (err, ex) =>
      report(`[dcr-mock] Unexpected error on ${ex.req.method} ${ex.path}: ${(err as Error)?.stack ?? String(err)}`),
  });

  const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    drain.track(res);
    app(req, res);
  });
  let fixturesAdded: number;
  try {
    fixturesAdded = await store.preload(fixtures);
    await listen(server, config.port, config.host);
  } catch (err) {
    await store.close();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const url = defaultIssuer(config.host, port).slice(0, -1);
  issuer = config.issuer ?? `${url}/`;

  let closing: Promise<void> | undefined;
  return {
    url,
    issuer,
    registrationEndpoint: `${issuer}oidc/register`,
    store,
    plan,
    journal,
    fixturesAdded,
    reset,
    close: () => (closing ??= stop(server, store, faults, drain)),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Stops accepting, lets requests in flight finish (held faults end at once, every answer closes its
 * connection), cuts what is left after DRAIN_MS, then writes the store.
 */
async function stop(server: Server, store: Store, faults: OpenFaults, drain: Drain): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  drain.stop();
  faults.abortAll();
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
  await closed;
  clearTimeout(timer);
  await store.close();
  // The listening socket is released in the close phase of the event loop, after 'close' fires: two
  // turns of the check phase later it is gone, so that close() leaves no handle behind when it resolves.
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
}
