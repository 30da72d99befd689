// Writes the options table, made from src/options.ts, into docs/options.md between its
// <!-- options:start --> and <!-- options:end --> markers, and the config file's JSON Schema made from the
// same rows into config.schema.json. `npm run docs:options` builds first.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { CONFIG_SCHEMA_FILE, configSchemaText } from '../dist/config-schema.js';
import { END_MARKER, START_MARKER, optionsMarkdown, withOptionsTable } from '../dist/options-markdown.js';

const NEW_PAGE = `# Options

The options of the \`dcr-mock\` command; a config file and \`startDcrMock()\` take them too, named in camelCase
(\`adminToken\`). The table is made from src/options.ts by \`npm run docs:options\`: edit it there.

`;
const pages = [{ file: new URL('../docs/options.md', import.meta.url), name: 'docs/options.md', anchors: '' }];
for (const { file, name, anchors } of pages) {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : `${NEW_PAGE}${START_MARKER}\n${END_MARKER}\n`;
  const updated = withOptionsTable(text, optionsMarkdown(anchors), name);
  if (updated !== text) writeFileSync(file, updated);
  console.log(`${name}: ${updated === text ? 'up to date' : 'options table rewritten'}`);
}

const schemaFile = new URL(`../${CONFIG_SCHEMA_FILE}`, import.meta.url);
const schema = configSchemaText();
const current = existsSync(schemaFile) ? readFileSync(schemaFile, 'utf8') : '';
if (schema !== current) writeFileSync(schemaFile, schema);
console.log(`${CONFIG_SCHEMA_FILE}: ${schema === current ? 'up to date' : 'rewritten'}`);
