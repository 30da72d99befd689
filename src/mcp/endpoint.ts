import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { AccessTokenGrant, TokenIssuer } from '../authorization/tokens.js';
import { OAuthError } from '../errors.js';
import { type FailureDeps, type FailureState, type FailureTarget, failureSteps } from '../failures/apply.js';
import type { Subject } from '../failures/rules.js';
import type { Answer } from '../http/answer.js';
import { parseBody, readStep } from '../http/body.js';
import { type Exchange, type Handler, type Step, pipeline } from '../http/exchange.js';
import type { McpContext } from '../failures/authorization-modes.js';
import { ADMIN_SCOPE, MCP_SCOPE, insufficientScope, mcpResource, prmUrl, unauthorized } from './resource.js';
import { answerMcp } from './tools.js';

export interface McpDeps extends FailureDeps {
  readonly tokens: TokenIssuer;
  readonly issuer: () => string;
}

interface State extends FailureState {
  text: string;
  body: unknown;
  grant: AccessTokenGrant;
  token: string;
}

/** The tools a token needs more than a valid signature for. */
const NEEDS: Readonly<Record<string, string>> = { admin_echo: ADMIN_SCOPE };

function bearer(ex: Exchange): string | undefined {
  const header = ex.req.headers.authorization;
  return header === undefined ? undefined : /^Bearer +([^\s]+) *$/i.exec(header)?.[1];
}

/** The tool a JSON-RPC message (or batch) calls, if any. */
function calledTools(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages.flatMap((m) =>
    typeof m === 'object' && m !== null && (m as { method?: unknown }).method === 'tools/call'
      ? [String((m as { params?: { name?: unknown } }).params?.name ?? '')]
      : [],
  );
}

/** Node's request as a web Request, with the body already read, for the SDK's transport. */
function webRequest(ex: Exchange, text: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(ex.req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const method = ex.req.method ?? 'GET';
  return new Request(`http://${ex.req.headers.host ?? '127.0.0.1'}${ex.req.url ?? '/mcp'}`, {
    method,
    headers,
    ...(method === 'POST' || method === 'DELETE' ? { body: text } : {}),
  });
}

/**
 * /mcp, a protected MCP server: read → parse → choose failure → delay → fail, or the Bearer token
 * checked (401 pointing at the protected resource metadata; 403 insufficient_scope for a tool that needs
 * more) → the official SDK's server answers.
 */
export function mcpEndpoint(deps: McpDeps): Handler {
  const read: Step<State> = readStep;
  const parse: Step<State> = (ex, s) => {
    const parsed = s.text === '' ? { ok: true, value: undefined } : parseBody(s.text, ex.req.headers['content-type']);
    if (!parsed.ok) throw new OAuthError(400, 'invalid_request', 'the body of an MCP request must be JSON-RPC');
    s.body = parsed.value;
    s.token = bearer(ex) ?? '';
    return undefined;
  };
  const authenticate: Step<State> = async (_ex, s) => {
    const issuer = deps.issuer();
    if (s.token === '')
      throw unauthorized(issuer, 'an access token must be given: Authorization: Bearer <access_token>');
    try {
      s.grant = await deps.tokens.verifyAccessToken(s.token, mcpResource(issuer));
    } catch (err) {
      const why = err instanceof OAuthError ? err.description : 'access token must be one this server issued';
      throw unauthorized(issuer, `${why} (for ${mcpResource(issuer)})`, 'invalid_token');
    }
    for (const tool of calledTools(s.body)) {
      const needed = NEEDS[tool];
      if (needed && !s.grant.scope.includes(needed)) throw insufficientScope(issuer, s.grant.scope, needed);
    }
    return undefined;
  };
  const answer = (ex: Exchange, s: State): Promise<Answer> => {
    const auth: AuthInfo = {
      token: s.token,
      clientId: s.grant.clientId ?? '',
      scopes: s.grant.scope,
      ...(typeof s.grant.claims['exp'] === 'number' && { expiresAt: s.grant.claims['exp'] }),
      resource: new URL(mcpResource(deps.issuer())),
      extra: { claims: s.grant.claims },
    };
    return answerMcp(webRequest(ex, s.text), s.body, auth);
  };
  const respond: Step<State> = (ex, s) => answer(ex, s);
  const subject = (ex: Exchange): Subject => ({ headers: ex.req.headers, values: {} });
  const target = (ex: Exchange, s: State): FailureTarget => {
    const success = async () => {
      await authenticate(ex, s);
      return answer(ex, s);
    };
    return {
      context: (): McpContext => ({ resource_metadata: prmUrl(deps.issuer()), scope: `${MCP_SCOPE} ${ADMIN_SCOPE}` }),
      // A failure that spoils an answer needs one: the real one, or the 401/403 a real one would be.
      preview: () =>
        success().catch((err: unknown) => {
          if (err instanceof OAuthError) return err.toAnswer();
          throw err;
        }),
      commit: () =>
        success().catch((err: unknown) => {
          if (err instanceof OAuthError) return err.toAnswer();
          throw err;
        }),
    };
  };
  return pipeline(
    () => ({}) as State,
    [read, parse, ...failureSteps<State>('mcp', deps, subject, target), authenticate, respond],
  );
}
