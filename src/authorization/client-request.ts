import type { FailureState } from '../failures/apply.js';
import { parseBody, readStep } from '../http/body.js';
import type { Step } from '../http/exchange.js';
import { authenticateClient, lookup } from './client-auth.js';
import type { AuthClient } from './clients.js';
import { requestParams } from './params.js';
import type { AuthorizationService } from './service.js';

/** What the opening steps leave for the rest of a client's request to the token or revocation endpoint. */
export interface ClientRequestState extends FailureState {
  text: string;
  params: Record<string, string>;
  client: AuthClient;
}

/**
 * The steps a client's POST to /oauth/token and /oauth/revoke opens with: `read` the body (kept for the
 * journal), `parse` it as a form or JSON into string parameters, `authenticate` the client as it
 * registered (named in the journal from then on).
 */
export function clientRequestSteps(
  service: AuthorizationService,
): Record<'read' | 'parse' | 'authenticate', Step<ClientRequestState>> {
  return {
    read: readStep,
    parse: (ex, s) => {
      s.params = requestParams(parseBody(s.text, ex.req.headers['content-type'], ['form', 'json']));
      return undefined;
    },
    authenticate: async (ex, s) => {
      s.client = await authenticateClient(
        s.params,
        ex.req.headers,
        (id) => lookup(service, id),
        service.assertionCheck(),
      );
      ex.clientId = s.client.client_id;
      return undefined;
    },
  };
}
