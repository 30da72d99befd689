import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Route } from './app.js';
import type { AuthorizationControl } from './authorization/control.js';
import type { ServerClock } from './clock.js';
import type { Config } from './config.js';
import type { RequestJournal } from './control/journal.js';
import { defaultIssuer } from './discovery.js';
import { UnknownTenant } from './errors.js';
import type { FailurePlan } from './failures/rules.js';
import { Drain } from './http/drain.js';
import { exchangeOf } from './http/exchange.js';
import { TENANT_PREFIX, tenantOfPath } from './http/tenant-path.js';
import { type Instance, assembleInstance } from './instance.js';
import { safeWriter } from './safe-write.js';
import type { Store } from './store/store.js';
import { tenantConfig } from './tenants.js';
import { UrlFile } from './url-file.js';

/** How long a stop waits for requests in flight before cutting their sockets. */
const DRAIN_MS = 3000;

/** What one issuer of the server offers: the default one, or a tenant's. */
export interface RunningIssuer {
  readonly issuer: string;
  readonly registrationEndpoint: string;
  readonly store: Store;
  readonly plan: FailurePlan;
  readonly journal: RequestJournal;
  readonly clock: ServerClock;
  /** The authorization server's grants, tokens and users, and its levers. */
  readonly authorization: AuthorizationControl;
  /** How many fixtures this start added to the store (the others were there already). */
  readonly fixturesAdded: number;
  /** Forgets clients (fixtures come back), journal and run-time rules; rewinds the sequence and the seeded draws. */
  reset(): Promise<void>;
}

export interface RunningServer extends RunningIssuer {
  readonly url: string;
  /** The tenants (`--tenant`), by name, in the order given; empty when there are none. */
  readonly tenants: ReadonlyMap<string, RunningIssuer>;
  /** Resets the default issuer and every tenant. */
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
  const write = hooks.write ?? safeWriter(process.stdout);
  const toStderr = safeWriter(process.stderr);
  const report = hooks.report ?? ((line: string) => toStderr(`${line}\n`));
  const urlFile = config.urlFile === undefined ? undefined : new UrlFile(config.urlFile);
  urlFile?.clear();
  const instances: Instance[] = [];
  // The default issuer's POST /__dcr/reset is the whole server's, as reset() is; a tenant's is its own.
  const resetAll = async () => {
    for (const instance of instances) await instance.reset();
  };
  const root = await assembleInstance(config, { write, report, reset: resetAll });
  instances.push(root);
  // Built only when asked for: a start without tenants pays for none of this.
  const tenants = new Map<string, Instance>();
  try {
    for (const name of config.tenants) {
      const tenant = await assembleInstance(tenantConfig(config, name), { write, report });
      tenants.set(name, tenant);
      instances.push(tenant);
    }
  } catch (err) {
    await closeStores(instances);
    throw err;
  }
  const names = [...tenants.keys()];
  const unknownTenant = (name: string): Route => ({
    handler: () => {
      throw new UnknownTenant(name, names);
    },
    journaled: true,
  });
  const drain = new Drain();
  const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    const started = performance.now();
    drain.track(res);
    const ex = exchangeOf(req, res);
    const closed = () => drain.done(res);
    const name = tenants.size === 0 ? undefined : tenantOfPath(ex.path);
    if (name === undefined) return root.serve(ex, started, closed);
    const tenant = tenants.get(name);
    if (tenant) tenant.serve(ex, started, closed);
    else root.serve(ex, started, closed, unknownTenant(name));
  });
  const fixturesAdded = new Map<Instance, number>();
  try {
    for (const instance of instances) fixturesAdded.set(instance, await instance.preload());
    await listen(server, config.port, config.host);
  } catch (err) {
    await closeStores(instances);
    throw err;
  }

  const { port } = server.address() as AddressInfo;
  const url = defaultIssuer(config.host, port).slice(0, -1);
  const issuer = config.issuer ?? `${url}/`;
  root.place(issuer, url);
  // Every tenant is an issuer with a path on the default issuer's origin.
  const tenantOrigin = new URL(issuer).origin;
  for (const [name, tenant] of tenants) tenant.place(`${tenantOrigin}${TENANT_PREFIX}${name}/`, url);

  let closing: Promise<void> | undefined;
  const close = () => {
    // First, so that nobody who waits for the file picks up a server on its way out.
    urlFile?.remove();
    process.off('exit', leftBehind);
    return (closing ??= stop(server, instances, drain));
  };
  // Should the process end without a stop (an uncaught error), the file still goes with it.
  const leftBehind = () => urlFile?.remove();
  if (urlFile) {
    try {
      urlFile.write(url);
    } catch (err) {
      await close();
      throw err;
    }
    process.once('exit', leftBehind);
  }
  const running = (instance: Instance): RunningIssuer => ({
    issuer: instance.issuer(),
    registrationEndpoint: `${instance.issuer()}oidc/register`,
    store: instance.store,
    plan: instance.plan,
    journal: instance.journal,
    clock: instance.clock,
    authorization: instance.authorization,
    fixturesAdded: fixturesAdded.get(instance) ?? 0,
    reset: instance.reset,
  });
  return {
    ...running(root),
    url,
    tenants: new Map([...tenants].map(([name, tenant]) => [name, running(tenant)])),
    reset: resetAll,
    close,
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
 * connection), cuts what is left after DRAIN_MS, then writes the stores.
 */
async function stop(server: Server, instances: readonly Instance[], drain: Drain): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  drain.stop();
  for (const instance of instances) instance.faults.abortAll();
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
  await closed;
  clearTimeout(timer);
  const failed = await closeStores(instances).catch((err: unknown) => ({ err }));
  // The listening socket is released in the close phase of the event loop, after 'close' fires: two
  // turns of the check phase later it is gone, so that close() leaves no handle behind when it resolves.
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  if (failed) throw failed.err;
}

/** Writes every store, even when one fails; the first failure is the one thrown. */
async function closeStores(instances: readonly Instance[]): Promise<void> {
  let failure: { err: unknown } | undefined;
  for (const instance of instances) {
    try {
      await instance.store.close();
    } catch (err) {
      failure ??= { err };
    }
  }
  if (failure) throw failure.err;
}
