import type { ParsedBody } from '../http/body.js';
import { InvalidRequest } from './errors.js';

/**
 * A token or revocation request's parameters, from a form or a JSON object (Auth0 takes both): each a
 * string. A repeated parameter (RFC 6749 §3.2), or a JSON value that is not a string, is `invalid_request`
 * naming it.
 */
export function requestParams(parsed: ParsedBody): Record<string, string> {
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
    throw new InvalidRequest(
      'request body must be a form (application/x-www-form-urlencoded) or a JSON object of parameters',
    );
  }
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed.value)) {
    if (Array.isArray(value)) throw new InvalidRequest(`${name} must be given once, got it ${value.length} times`);
    if (typeof value === 'number' || typeof value === 'boolean') params[name] = String(value);
    else if (typeof value === 'string') params[name] = value;
    else if (value !== null) throw new InvalidRequest(`${name} must be a string, got ${typeof value}`);
  }
  return params;
}
