// Copies the files tsc does not emit (the inspector's page, stylesheet and script) from src/ into dist/.
import { cpSync, readdirSync } from 'node:fs';

const from = new URL('../src/inspector/', import.meta.url);
const to = new URL('../dist/inspector/', import.meta.url);
for (const name of readdirSync(from)) {
  if (/\.(html|css|js)$/.test(name)) cpSync(new URL(name, from), new URL(name, to));
}
