import { OAuthError } from '../errors.js';
import { type FailureDeps, type FailureState, type FailureTarget, failureSteps } from '../failures/apply.js';
import { ISSUED, errorRedirect } from '../failures/authorization-modes.js';
import type { Subject } from '../failures/rules.js';
import { type Answer, jsonAnswer, NO_STORE } from '../http/answer.js';
import { parseBody, readBody } from '../http/body.js';
import { type Exchange, type Handler, type Step, pipeline } from '../http/exchange.js';
import { writeAnswer } from '../http/respond.js';
import {
  type AuthorizationRequest,
  AuthorizePageError,
  AuthorizeRedirectError,
  type RedirectTarget,
  declined,
} from './authorize.js';
import { consentPage, errorPage, loginPage } from './pages.js';
import { parseScope } from './scope.js';
import type { AuthorizationService, Pending } from './service.js';
import type { User } from './users.js';

export interface AuthorizeDeps extends FailureDeps {
  readonly service: AuthorizationService;
}

interface State extends FailureState {
  target: RedirectTarget;
  request: AuthorizationRequest;
}

/** An authorization error as the browser gets it: a page (or JSON, asked for), or a redirect to the client. */
function answerOf(err: unknown, ex: Exchange): Answer | undefined {
  if (err instanceof AuthorizeRedirectError) return errorRedirect(err.context, err.error, err.description);
  if (err instanceof AuthorizePageError) {
    const wantsJson = /application\/json/i.test(ex.req.headers.accept ?? '');
    return wantsJson ? jsonAnswer(400, err.toBody(), NO_STORE) : errorPage(err.error, err.description);
  }
  return undefined;
}

/** Writes what an authorization error comes to; anything else goes on to the usual error answer. */
const answering =
  (handler: Handler): Handler =>
  async (ex) => {
    try {
      await handler(ex);
    } catch (err) {
      const answer = answerOf(err, ex);
      if (!answer) throw err;
      writeAnswer(ex.res, answer);
    }
  };

/**
 * GET /authorize: the client and redirect URI (an error page when either is wrong) → choose failure →
 * delay → fail, or the rest of the request (errors redirected) → the page the login mode needs, or the
 * code at once.
 */
export function authorizeEndpoint(deps: AuthorizeDeps): Handler {
  const { service } = deps;
  const target: Step<State> = async (ex, s) => {
    const clientId = ex.query.get('client_id');
    // A Client ID Metadata Document not seen yet is fetched first; one that breaks the rules is an error page.
    if (clientId) {
      try {
        await service.lookup(clientId);
      } catch (err) {
        if (err instanceof OAuthError) throw new AuthorizePageError(err.description);
        throw err;
      }
    }
    s.target = service.target(ex.query);
    ex.clientId = s.target.client.client_id;
    return undefined;
  };
  const read: Step<State> = (ex, s) => {
    s.request = service.read(ex.query, s.target);
    return undefined;
  };
  const answer: Step<State> = (_ex, s) => {
    const { request } = s;
    switch (service.pageFor(request)) {
      case 'none':
        return service.approve(request, service.userFor(request));
      case 'consent': {
        const user = service.userFor(request);
        return consentPage(request, user, service.hold(request, user), service.basePath);
      }
      case 'login':
        return loginPage(request, service.users.list, service.hold(request), service.basePath);
    }
  };
  const failureTarget = (ex: Exchange, s: State): FailureTarget => {
    const issue = () => {
      try {
        const request = service.read(ex.query, s.target);
        return service.approve(request, service.userFor(request));
      } catch (err) {
        const answer = answerOf(err, ex);
        if (!answer) throw err;
        return answer;
      }
    };
    return {
      context: () => s.target.context,
      preview: (variant) => (variant === ISSUED ? issue() : service.preview(s.target, ex.query)),
      // slow_body: the code is issued, and the answer dribbles.
      commit: issue,
    };
  };
  const subject = (ex: Exchange, s: State): Subject => ({
    headers: ex.req.headers,
    values: {
      client_id: [s.target.client.client_id],
      redirect_uri: [s.target.redirect_uri],
      scope: parseScope(ex.query.get('scope') ?? undefined),
      audience: [ex.query.get('audience') ?? ex.query.get('resource')].filter((v): v is string => !!v),
    },
  });
  return answering(
    pipeline(
      () => ({}) as State,
      [target, ...failureSteps<State>('authorize', deps, subject, failureTarget), read, answer],
    ),
  );
}

/**
 * A login or consent page's form, posted back: its fields, and the authorization it continues (which
 * names the client from then on). Unknown or answered already: the error page that says to start again.
 */
async function answeredPage(
  ex: Exchange,
  service: AuthorizationService,
): Promise<{ form: Record<string, string>; pending: Pending }> {
  const text = await readBody(ex.req);
  ex.text = text;
  const parsed = parseBody(text, ex.req.headers['content-type'], ['form']);
  const form: Record<string, string> = {};
  if (parsed.ok && typeof parsed.value === 'object' && parsed.value !== null) {
    for (const [name, value] of Object.entries(parsed.value)) if (typeof value === 'string') form[name] = value;
  }
  const pending = service.take(form['transaction'] ?? '');
  if (!pending) throw new AuthorizePageError(EXPIRED);
  ex.clientId = pending.request.client.client_id;
  return { form, pending };
}

const EXPIRED =
  'this page must be answered once, while the server that showed it runs: it was answered already, or is unknown. Start again from /authorize';

/** POST /u/consent: Accept issues the code, Decline sends access_denied. */
export function consentEndpoint(service: AuthorizationService): Handler {
  return answering(async (ex) => {
    const { form, pending } = await answeredPage(ex, service);
    const { request } = pending;
    const decision = form['decision'];
    if (decision !== 'accept' && decision !== 'decline') {
      throw new AuthorizePageError(`decision must be accept or decline, got ${JSON.stringify(decision ?? null)}`);
    }
    if (decision === 'decline') throw declined(request);
    writeAnswer(ex.res, service.approve(request, pending.user ?? service.userFor(request)));
  });
}

/** POST /u/login: the user picked; then the consent page if the request asked for one, else the code. */
export function loginEndpoint(service: AuthorizationService): Handler {
  return answering(async (ex) => {
    const { form, pending } = await answeredPage(ex, service);
    const { request } = pending;
    const user: User | undefined = service.users.bySub(form['user'] ?? '');
    if (!user) {
      throw new AuthorizePageError(
        `user must be one of this server's users (${service.users.list.map((u) => u.sub).join(', ')})`,
      );
    }
    if (request.prompt.includes('consent')) {
      writeAnswer(ex.res, consentPage(request, user, service.hold(request, user), service.basePath));
      return;
    }
    writeAnswer(ex.res, service.approve(request, user));
  });
}
