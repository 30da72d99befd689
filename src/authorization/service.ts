import { type Answer, htmlAnswer } from '../http/answer.js';
import { escapeHtml, redirect } from '../failures/authorization-modes.js';
import type { Apis } from './apis.js';
import {
  type AuthorizationRequest,
  type AuthorizeSettings,
  type LoginMode,
  RESPONSE_MODES,
  type ResponseMode,
  type RedirectTarget,
  pageNeeded,
  readAuthorizationRequest,
  readRedirectTarget,
} from './authorize.js';
import { type CimdClients, authClientOfDocument, isDocumentUrl } from './cimd.js';
import type { AuthClient } from './clients.js';
import { AuthorizationCodes, type CodeGrant } from './codes.js';
import { type Draw, seededDraw } from './draw.js';
import { TokenGrants } from './grants.js';
import { IssuedTokens } from './issued.js';
import type { KeySet } from './keys.js';
import type { RefreshFamilyRecord, PersistHook } from './refresh-records.js';
import { RefreshTokens } from './refresh-tokens.js';
import { type TokenDialect, TokenIssuer } from './tokens.js';
import type { User, Users } from './users.js';

/** What an authorization response needs of its request. */
type Answerable = Pick<AuthorizationRequest, 'redirect_uri' | 'state' | 'context' | 'responseMode'>;

/** Pages waiting for the user's answer, at most; past it the oldest is forgotten. */
const MAX_PENDING = 10_000;
const PENDING_LENGTH = 24;

export interface AuthorizationServiceOptions {
  readonly seed: string;
  readonly issuer: () => string;
  readonly clock: () => Date;
  readonly keys: KeySet;
  readonly users: Users;
  readonly apis: Apis;
  readonly login: LoginMode;
  readonly issParam: boolean;
  readonly resourceParam: boolean;
  readonly dialect: TokenDialect;
  /** Seconds. */
  readonly refreshReuseLeeway: number;
  /** Seconds; 0: no limit. */
  readonly refreshAbsoluteLifetime?: number | undefined;
  /** Seconds; 0: no limit. */
  readonly refreshIdleLifetime?: number | undefined;
  /** The stored client, as the authorization server sees it. */
  readonly client: (clientId: string) => AuthClient | undefined;
  /** Client ID Metadata Documents, when --cimd is on: a URL as client_id names one. */
  readonly cimd?: CimdClients | undefined;
  /** Stores a refresh-token family change before the answer is sent. */
  readonly persist?: PersistHook | undefined;
  readonly refreshRecords?: readonly RefreshFamilyRecord[] | undefined;
}

/** A request waiting on the login or consent page. */
export interface Pending {
  readonly request: AuthorizationRequest;
  user: User | undefined;
}

/**
 * The authorization server's state and decisions, apart from HTTP: authorization requests, the user's
 * answer, codes, the grants of the token endpoint, refresh-token families and the tokens issued.
 */
export class AuthorizationService {
  readonly codes: AuthorizationCodes;
  readonly tokens: TokenIssuer;
  readonly refresh: RefreshTokens;
  readonly issued = new IssuedTokens();
  readonly grants: TokenGrants;
  readonly #options: AuthorizationServiceOptions;
  readonly #settings: AuthorizeSettings;
  readonly #draw: Draw;
  readonly #pending = new Map<string, Pending>();
  #pendingCount = 0;

  /** The issuer's path without its last `/`: `''` at the root, `/t/a` for a tenant. The pages post under it. */
  get basePath(): string {
    return (URL.parse(this.#options.issuer())?.pathname ?? '/').replace(/\/$/, '');
  }

  constructor(options: AuthorizationServiceOptions) {
    this.#options = options;
    this.#draw = seededDraw(options.seed);
    const { clock, keys } = options;
    this.codes = new AuthorizationCodes({ draw: this.#draw, clock });
    this.tokens = new TokenIssuer({ issuer: options.issuer, keys, clock, draw: this.#draw, dialect: options.dialect });
    this.refresh = new RefreshTokens({
      draw: this.#draw,
      clock,
      persist: options.persist,
      reuseLeeway: options.refreshReuseLeeway,
      absoluteLifetime: options.refreshAbsoluteLifetime === 0 ? null : options.refreshAbsoluteLifetime,
      idleLifetime: options.refreshIdleLifetime === 0 ? null : options.refreshIdleLifetime,
      records: options.refreshRecords,
    });
    this.grants = new TokenGrants({
      codes: this.codes,
      tokens: this.tokens,
      refresh: this.refresh,
      users: options.users,
      apis: options.apis,
      issued: this.issued,
      clock,
      outsider: () => keys.outsider(),
    });
    this.#settings = {
      issuer: options.issuer,
      issParam: options.issParam,
      resourceParam: options.resourceParam,
      apis: options.apis,
      users: options.users,
    };
  }

  get users(): Users {
    return this.#options.users;
  }

  get login(): LoginMode {
    return this.#options.login;
  }

  /** A stored client, or a Client ID Metadata Document already known. */
  client(clientId: string): AuthClient | undefined {
    const stored = this.#options.client(clientId);
    if (stored) return stored;
    const document = this.#options.cimd?.get(clientId);
    return document && authClientOfDocument(document);
  }

  /** As `client`, fetching a Client ID Metadata Document not seen yet. Throws CimdError for one that breaks Auth0's rules. */
  async lookup(clientId: string): Promise<AuthClient | undefined> {
    const known = this.client(clientId);
    if (known || !this.#options.cimd || !isDocumentUrl(clientId)) return known;
    return authClientOfDocument(await this.#options.cimd.load(clientId));
  }

  /** What a client assertion (private_key_jwt) must name as its audience, and the time it is checked at. */
  assertionCheck(): { audiences: string[]; now: Date } {
    const issuer = this.#options.issuer();
    return { audiences: [issuer, `${issuer}oauth/token`], now: this.#options.clock() };
  }

  /** The client and redirect URI; throws AuthorizePageError (no redirect). */
  target(query: URLSearchParams): RedirectTarget {
    return readRedirectTarget(query, (id) => this.client(id), this.#settings);
  }

  /** The whole request; throws AuthorizeRedirectError. */
  read(query: URLSearchParams, target: RedirectTarget): AuthorizationRequest {
    return readAuthorizationRequest(query, target, this.#settings);
  }

  /** The page the login mode needs first, if any (throws login_required / consent_required under prompt=none). */
  pageFor(request: AuthorizationRequest, login: LoginMode = this.#options.login): 'none' | 'consent' | 'login' {
    return pageNeeded(request, login);
  }

  /** Keeps a request for the page's answer; returns the id the page's form sends back. */
  hold(request: AuthorizationRequest, user?: User): string {
    const id = this.#draw(`pending:${++this.#pendingCount}`, PENDING_LENGTH);
    this.#pending.set(id, { request, user });
    if (this.#pending.size > MAX_PENDING) this.#pending.delete(this.#pending.keys().next().value!);
    return id;
  }

  /** The request a page answers, once: a second answer finds nothing. */
  take(id: string): Pending | undefined {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    return pending;
  }

  /** The user a request is answered as, without a login page: the one login_hint named, else the default. */
  userFor(request: AuthorizationRequest): User {
    return request.hinted ?? this.#options.users.default;
  }

  /** Issues the code and answers the client with it. */
  approve(request: AuthorizationRequest, user: User): Answer {
    return this.#success(request, this.codes.issue(this.#binding(request, user)).code);
  }

  /** The success answer a request to this target would get, with no code stored: what a failure mode spoils. */
  preview(target: RedirectTarget, query: URLSearchParams): Answer {
    const mode = query.get('response_mode');
    const responseMode = (RESPONSE_MODES as readonly string[]).includes(mode ?? '') ? (mode as ResponseMode) : 'query';
    return this.#success({ ...target, responseMode }, this.codes.peek());
  }

  /** Forgets codes, pages waiting, tokens issued and refresh-token families (their store is the caller's). */
  clear(): void {
    this.codes.clear();
    this.tokens.clear();
    this.issued.clear();
    this.refresh.restore([]);
    this.#pending.clear();
    this.#pendingCount = 0;
    this.#options.cimd?.reset();
  }

  #binding(request: AuthorizationRequest, user: User): Omit<CodeGrant, 'code' | 'issued_at' | 'expires_at'> {
    return {
      client_id: request.client.client_id,
      redirect_uri: request.redirect_uri,
      code_challenge: request.challenge?.code_challenge,
      code_challenge_method: request.challenge?.code_challenge_method,
      scope: request.scope,
      audience: request.audience,
      nonce: request.nonce,
      sub: user.sub,
    };
  }

  /** RFC 6749 §4.1.2 (and RFC 9207's iss), in the response mode asked for. */
  #success(request: Answerable, code: string): Answer {
    const params: Array<[string, string]> = [['code', code]];
    if (request.state !== undefined) params.push(['state', request.state]);
    if (request.context.iss !== undefined) params.push(['iss', request.context.iss]);
    return authorizationResponse(request, params);
  }
}

/** The answer to the client's redirect URI, as response_mode asks: a query, a fragment, or a form that posts itself. */
export function authorizationResponse(request: Answerable, params: ReadonlyArray<[string, string]>): Answer {
  const url = new URL(request.redirect_uri);
  if (request.responseMode === 'form_post') {
    const inputs = params
      .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
      .join('');
    return htmlAnswer(
      200,
      `<!doctype html><html><head><title>Submit This Form</title></head><body onload="document.forms[0].submit()"><form method="post" action="${escapeHtml(url.href)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form></body></html>`,
      { 'cache-control': 'no-store', pragma: 'no-cache' },
    );
  }
  if (request.responseMode === 'fragment') {
    url.hash = new URLSearchParams(params.map(([k, v]) => [k, v])).toString();
    return redirect(url.href);
  }
  for (const [name, value] of params) url.searchParams.set(name, value);
  return redirect(url.href);
}
