import { CredentialFactory } from '../registration/credentials.js';

/** A string of `length` URL-safe characters that depends only on (seed, label). */
export type Draw = (label: string, length: number) => string;

/**
 * The draws of codes and tokens, made the way registration access tokens are: from (seed, label),
 * where the label names the kind of value and its place in its sequence, e.g. `code:17`.
 */
export function seededDraw(seed: string): Draw {
  const factory = new CredentialFactory(seed);
  return (label, length) => factory.token(label, length);
}
