import type { AuthorizationControl } from '../authorization/control.js';
import type { ServerClock } from '../clock.js';
import type { Exchange } from '../http/exchange.js';
import { InvalidRequest, NotFound } from '../errors.js';
import { adminRefusal } from '../http/bearer.js';
import { readBody } from '../http/body.js';
import { sendJson, writeHead } from '../http/respond.js';
import { MODES } from '../failures/catalogue.js';
import type { FailurePlan } from '../failures/rules.js';
import { FailSpecError, type FailureRule, parseFailSpec, toFailureRule } from '../failures/spec.js';
import type { Store } from '../store/store.js';
import type { RequestJournal } from './journal.js';
import { isObject } from '../is-object.js';
import { ruleView } from './rules-view.js';

export interface ControlDeps {
  readonly store: Store;
  readonly plan: FailurePlan;
  readonly journal: RequestJournal;
  readonly adminToken: string | undefined;
  readonly version: string;
  readonly profile: string;
  /** The issuer and the endpoints the discovery document advertises, for the inspector to show and copy. */
  readonly urls: () => ControlUrls;
  readonly started: number;
  readonly clock: ServerClock;
  readonly authorization: AuthorizationControl;
  /** Everything `POST /__dcr/reset` forgets. */
  readonly reset: () => Promise<void>;
}

export interface ControlUrls {
  readonly issuer: string;
  /** By the discovery document's name: `registration_endpoint`, `token_endpoint`, `jwks_uri`… */
  readonly endpoints: Readonly<Record<string, string>>;
  /** RFC 7592: a client's registration_client_uri is this plus its client_id; null where the profile has no management. */
  readonly client_configuration: string | null;
}

type ControlHandler = (ex: Exchange, id: string) => Promise<void> | void;

/** The /__dcr control plane. Returns a handler for `/__dcr/...` paths. */
export function controlHandler(deps: ControlDeps): (ex: Exchange) => Promise<void> | void {
  const { store, plan, journal } = deps;
  const noContent = (ex: Exchange) => {
    writeHead(ex.res, 204);
    ex.res.end();
  };
  const notFound = (what: string, id: string) => new NotFound(`${what} ${JSON.stringify(id)} does not exist`);

  const routes: Record<string, ControlHandler> = {
    'GET health': (ex) =>
      sendJson(ex.res, 200, {
        status: 'ok',
        version: deps.version,
        profile: deps.profile,
        clients: store.clients.length,
        sequence: store.sequence,
        uptime_ms: Math.round(performance.now() - deps.started),
        ...deps.urls(),
      }),
    'GET clients': (ex) => sendJson(ex.res, 200, store.clients),
    'GET clients/:id': (ex, id) => {
      const client = store.get(id);
      if (!client) throw notFound('client', id);
      sendJson(ex.res, 200, client);
    },
    'DELETE clients/:id': async (ex, id) => {
      if (!(await store.remove(id))) throw notFound('client', id);
      noContent(ex);
    },
    'GET failures': (ex) =>
      sendJson(ex.res, 200, {
        rules: plan.list().map(ruleView),
        latency: plan.latency ? { min: plan.latency[0], max: plan.latency[1] } : null,
        modes: Object.entries(MODES).map(([mode, spec]) => ({ mode, group: spec.group, summary: spec.summary })),
        // Every endpoint a rule may name, with its modes (registration's are `modes` above).
        endpoints: Object.fromEntries(
          plan.catalogue.endpointNames.map((endpoint) => [
            endpoint,
            plan.catalogue.modeNames(endpoint).map((mode) => {
              const spec = plan.catalogue.mode(endpoint, mode)!;
              return { mode, group: spec.group, summary: spec.summary };
            }),
          ]),
        ),
      }),
    'POST failures': async (ex) => {
      const rules = parseRules(await readJson(ex));
      const added = addRules(plan, rules).map(ruleView);
      sendJson(ex.res, 201, added.length === 1 ? added[0] : added);
    },
    'DELETE failures': (ex) => {
      plan.clearRuntime();
      noContent(ex);
    },
    'DELETE failures/:id': (ex, id) => {
      if (!plan.remove(id)) throw notFound('rule', id);
      noContent(ex);
    },
    'GET requests': (ex) => sendJson(ex.res, 200, journal.list(limitOf(ex, journal.size))),
    'DELETE requests': (ex) => {
      journal.clear();
      noContent(ex);
    },
    'GET clock': (ex) => sendJson(ex.res, 200, clockView(deps.clock)),
    'POST clock': async (ex) => {
      const body = await readJson(ex);
      const advance = isObject(body) ? body['advance'] : undefined;
      if (typeof advance !== 'number') {
        throw new InvalidRequest('the body must be {"advance": SECONDS}, the seconds to move the clock forward');
      }
      try {
        deps.clock.advance(advance);
      } catch (err) {
        throw new InvalidRequest((err as Error).message);
      }
      sendJson(ex.res, 200, clockView(deps.clock));
    },
    'GET users': (ex) => sendJson(ex.res, 200, deps.authorization.users()),
    'GET grants': (ex) => sendJson(ex.res, 200, deps.authorization.grants()),
    'GET tokens': (ex) => {
      const tokens = deps.authorization.tokens();
      sendJson(ex.res, 200, tokens.slice(tokens.length - Math.min(limitOf(ex, tokens.length), tokens.length)));
    },
    'POST revoke-all': async (ex) => sendJson(ex.res, 200, { revoked: await deps.authorization.revokeAll() }),
    'POST keys/:id': async (ex, id) => {
      if (id !== 'rotate') throw notFound('key action', id);
      sendJson(ex.res, 200, await deps.authorization.rotateKeys());
    },
    'POST authorize': async (ex) => {
      const body = await readJson(ex);
      const url = isObject(body) ? body['url'] : undefined;
      if (typeof url !== 'string') {
        throw new InvalidRequest(
          'the body must be {"url": AUTHORIZATION_URL[, "decision": "accept"|"decline", "user": SUB_OR_EMAIL]}',
        );
      }
      const decision = isObject(body) ? body['decision'] : undefined;
      if (decision !== undefined && decision !== 'accept' && decision !== 'decline') {
        throw new InvalidRequest('decision must be accept or decline');
      }
      const user = isObject(body) && typeof body['user'] === 'string' ? body['user'] : undefined;
      sendJson(ex.res, 200, { location: await deps.authorization.authorize(url, { decision, user }) });
    },
    'GET cimd': (ex) => sendJson(ex.res, 200, deps.authorization.documents()),
    'POST cimd': async (ex) => sendJson(ex.res, 201, deps.authorization.importDocument(await readJson(ex))),
    'POST reset': async (ex) => {
      await deps.reset();
      noContent(ex);
    },
  };

  return (ex) => {
    const refusal = adminRefusal(ex.req, deps.adminToken);
    if (refusal) throw refusal;
    const rest = ex.path.slice('/__dcr/'.length);
    const slash = rest.indexOf('/');
    const [name, id] = slash === -1 ? [rest, ''] : [rest.slice(0, slash), decodeId(rest.slice(slash + 1))];
    const handler = routes[`${ex.req.method} ${name}${id ? '/:id' : ''}`];
    if (!handler) {
      throw new NotFound(`${ex.req.method} ${ex.path} is not a control-plane route; see GET /__dcr/health`);
    }
    return handler(ex, id);
  };
}

/** `?limit=N`: a whole number from 1; without one, or with anything else, `all`. */
function limitOf(ex: Exchange, all: number): number {
  const limit = Number(ex.query.get('limit') ?? all);
  return Number.isInteger(limit) && limit > 0 ? limit : all;
}

function clockView(clock: ServerClock) {
  return { now: clock.now().toISOString(), offset_seconds: clock.offsetSeconds };
}

function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new InvalidRequest('the id in the path must be URL-encoded');
  }
}

async function readJson(ex: Exchange): Promise<unknown> {
  const text = await readBody(ex.req);
  const type = ex.req.headers['content-type'] ?? '';
  if (type.startsWith('text/plain')) return text.trim();
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequest('the body must be JSON: a rule object, a spec string, or an array of them');
  }
}

/** All the rules, or none past the bound on run-time rules. */
function addRules(plan: FailurePlan, rules: readonly FailureRule[]) {
  try {
    return plan.addAll(rules);
  } catch (err) {
    if (err instanceof FailSpecError) throw new InvalidRequest(err.message);
    throw err;
  }
}

/** A rule object, a spec string ("a;b" allowed), or an array of either. */
function parseRules(input: unknown): FailureRule[] {
  try {
    const items = Array.isArray(input) ? input : [input];
    if (items.length === 0) throw new FailSpecError('the body must hold at least one rule');
    return items.flatMap((item, i) =>
      typeof item === 'string'
        ? parseFailSpec(item)
        : [toFailureRule(item, Array.isArray(input) ? `rule ${i}` : 'the rule')],
    );
  } catch (err) {
    if (err instanceof FailSpecError) throw new InvalidRequest(err.message);
    throw err;
  }
}
