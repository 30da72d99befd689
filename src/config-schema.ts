import type { JsonSchema } from './option-schemas.js';
import { OPTIONS, type OptionRow } from './options.js';

export type { JsonSchema } from './option-schemas.js';

/** The file shipped at the package's root, that a config file names in `"$schema"`. */
export const CONFIG_SCHEMA_FILE = 'config.schema.json';

/**
 * The schema of a config file, made from the options table: a row's own `schema`, else one read from its
 * flag (a switch, a choice, a repeatable string, a string); its --help text as the description, and its
 * default. Keys it does not list are errors, as dcr-mock refuses them.
 */
export function configSchema(): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    $schema: { type: 'string', description: 'this schema, e.g. ./node_modules/dcr-mock/config.schema.json' },
    $comment: { type: 'string', description: 'what this file is for; dcr-mock ignores it' },
  };
  for (const option of OPTIONS) {
    if (option.name === 'config') continue;
    properties[option.name] = propertyOf(option);
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'dcr-mock config file',
    description:
      'Options of dcr-mock (dcr-mock.config.json, --config, startDcrMock({ config })), named in camelCase. Made from src/options.ts by npm run docs:options.',
    type: 'object',
    additionalProperties: false,
    properties,
  };
}

function propertyOf(option: OptionRow): JsonSchema {
  const flag = option.flag;
  const own = option.schema ?? fromFlag(flag);
  const property: Record<string, unknown> = { ...own };
  const description = flag?.help ?? own['description'];
  if (description !== undefined) property['description'] = description;
  const fallback = option.value?.default;
  if (typeof fallback === 'string' || typeof fallback === 'number' || typeof fallback === 'boolean') {
    property['default'] = fallback;
  }
  return property;
}

function fromFlag(flag: OptionRow['flag']): JsonSchema {
  if (!flag) return {};
  if (flag.type === 'boolean') return { type: 'boolean' };
  if (flag.choices) return { type: 'string', enum: flag.choices };
  if (flag.array) return { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
  return { type: 'string', minLength: 1 };
}

/** The schema file's text, as written to the package's root. */
export const configSchemaText = (): string => `${JSON.stringify(configSchema(), null, 2)}\n`;
