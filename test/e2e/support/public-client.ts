import type { Page } from '@playwright/test';
import * as oauth from 'oauth4webapi';

// A public client (a SPA or a native app: PKCE, no secret) as oauth4webapi builds one: discovery, Dynamic
// Client Registration, the authorization URL, the callback checked, the code exchanged.

const insecure = { [oauth.allowInsecureRequests]: true }; // http://127.0.0.1 is not https

export interface PublicClient {
  readonly as: oauth.AuthorizationServer;
  readonly client: oauth.Client;
  readonly redirectUri: string;
}

/** What the client keeps between sending the user to /authorize and the callback. */
export interface PendingAuthorization {
  readonly url: URL;
  readonly state: string;
  readonly verifier: string;
}

export async function registerPublicClient(
  issuer: string,
  redirectUri: string,
  clientName = 'Checkout SPA',
): Promise<PublicClient> {
  const issuerUrl = new URL(issuer);
  const as = await oauth.processDiscoveryResponse(issuerUrl, await oauth.discoveryRequest(issuerUrl, insecure));
  const registration = await oauth.dynamicClientRegistrationRequest(
    as,
    {
      client_name: clientName,
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
    },
    insecure,
  );
  const client = await oauth.processDynamicClientRegistrationResponse(registration);
  return { as, client, redirectUri };
}

export async function authorizationUrl(
  { as, client, redirectUri }: PublicClient,
  params: Record<string, string> = {},
): Promise<PendingAuthorization> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(String(as.authorization_endpoint));
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: redirectUri,
    response_type: 'code',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...params,
  }).toString();
  return { url, state, verifier };
}

/** Checks the callback (state, error) and redeems its code at /oauth/token. */
export async function redeem(
  { as, client, redirectUri }: PublicClient,
  pending: PendingAuthorization,
  callback: URL,
): Promise<oauth.TokenEndpointResponse> {
  const params = oauth.validateAuthResponse(as, client, callback, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri,
    pending.verifier,
    insecure,
  );
  return oauth.processAuthorizationCodeResponse(as, client, response);
}

/** The console errors and uncaught exceptions of a page, from now on. */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return errors;
}

/**
 * What a person on a phone needs of a page: nothing wider than the screen, and every button on it
 * whole, inside the screen and big enough to tap. Returns what falls short, so a test can show it.
 */
export async function phoneProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width + 1) {
      problems.push(`the page is ${document.documentElement.scrollWidth}px wide on a ${width}px screen`);
    }
    for (const el of document.querySelectorAll('main *')) {
      const box = el.getBoundingClientRect();
      if (box.right > width + 1) problems.push(`<${el.tagName.toLowerCase()}> ends at ${Math.round(box.right)}px`);
    }
    for (const button of document.querySelectorAll('button')) {
      const box = button.getBoundingClientRect();
      if (box.height < 44) problems.push(`button "${button.textContent}" is ${box.height}px tall`);
    }
    return problems;
  });
}
