// Writes the options table, made from src/options.ts, into docs/options.md between its
// <!-- options:start --> and <!-- options:end --> markers. `npm run docs:options` builds first.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
