import { CATALOGUE } from './failures/catalogue.js';

/** A JSON Schema (draft-07) fragment. */
export type JsonSchema = { readonly [keyword: string]: unknown };

const MODES = [...new Set(CATALOGUE.endpointNames.flatMap((endpoint) => CATALOGUE.modeNames(endpoint)))];

/** Milliseconds, or MIN-MAX. */
export const MS_RANGE: JsonSchema = {
  anyOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^\\s*\\d+\\s*(-\\s*\\d+\\s*)?$' },
  ],
};

/** A failure rule in a config file: a spec string, or the object the control plane takes. */
export const FAILURE_RULE: JsonSchema = {
  anyOf: [
    { type: 'string', description: 'a spec such as rate_limited:times=2', examples: ['rate_limited:times=2'] },
    {
      type: 'object',
      required: ['mode'],
      additionalProperties: false,
      properties: {
        endpoint: { type: 'string', enum: CATALOGUE.endpointNames, description: 'default registration' },
        mode: { type: 'string', enum: MODES },
        times: { type: 'integer', minimum: 1, description: 'applied this many times, then spent' },
        after: { type: 'integer', minimum: 0, description: 'after this many matching requests went through' },
        rate: { type: 'number', minimum: 0, maximum: 1, description: 'a seeded share of matching requests' },
        match: {
          type: 'object',
          additionalProperties: { type: 'string', minLength: 1 },
          description: 'conditions on the request: client_name, redirect_uri, header (NAME:PATTERN)',
        },
        ms: MS_RANGE,
        status: { type: 'integer', minimum: 400, maximum: 599 },
        retry_after: { type: 'integer', minimum: 0, maximum: 86400 },
      },
    },
  ],
};

/** A whole number from `min`, or its digits as a string (the form of a flag or a variable). */
export const wholeNumber = (min: number, max?: number): JsonSchema => ({
  anyOf: [
    { type: 'integer', minimum: min, ...(max === undefined ? {} : { maximum: max }) },
    { type: 'string', pattern: '^\\s*\\d+\\s*$' },
  ],
});

/** A fixture in a config file: a client's metadata with the credentials it keeps. */
const FIXTURE_CLIENT: JsonSchema = {
  type: 'object',
  required: ['client_id', 'redirect_uris'],
  properties: {
    client_id: { type: 'string', minLength: 1 },
    client_secret: { type: 'string', minLength: 1 },
    client_name: { type: 'string' },
    redirect_uris: { type: 'array', minItems: 1, items: { type: 'string' } },
    token_endpoint_auth_method: { type: 'string' },
  },
};

export const FIXTURES: JsonSchema = {
  description:
    'clients to preload, idempotent by client_id: a JSON file of them (relative to this file), an array, or {"clients": [...]}',
  anyOf: [
    { type: 'string', minLength: 1 },
    { type: 'array', items: FIXTURE_CLIENT },
    { type: 'object', required: ['clients'], properties: { clients: { type: 'array', items: FIXTURE_CLIENT } } },
  ],
};
