// Bundles the command (dist/bin.js, as tsc emitted it) into dist/bin.js and its chunks, for a shorter
// start: a start that registers clients then reads a few files instead of ~115 modules, each resolved,
// read and compiled on its own (`bench/NOTES.md`, "Start-up"). The library (dist/index.js, dist/playwright.js)
// stays as tsc emitted it.
//
// What a first registration needs is bundled: dcr-mock's own modules, and the packages it loads on the
// way (Faker's base locale, lowdb and steno, yargs-parser). Every other package stays an import of
// node_modules, as it loads only when first used, from its own folder (json-server, jose, the MCP SDK, …).
// Chunks go beside bin.js, at the top of dist/, where src/dist-dir.ts expects every module that reads
// files beside dist/ to be.
import { readdirSync, rmSync } from 'node:fs';
import { rolldown } from 'rolldown';

const BUNDLED = /^(@faker-js\/faker|lowdb|steno|yargs-parser)(\/|$)/;
const dist = new URL('../dist/', import.meta.url).pathname;

// The chunks of an earlier build (their names change with their contents).
for (const name of readdirSync(dist)) if (/^bin-.*\.js$/.test(name)) rmSync(`${dist}${name}`);

function chunkName(chunk) {
  if (!chunk.facadeModuleId?.startsWith(dist)) return chunk.name;
  return chunk.facadeModuleId
    .slice(dist.length)
    .replace(/\.js$/, '')
    .replace(/[^a-z0-9]+/gi, '-');
}

const bundle = await rolldown({
  input: `${dist}bin.js`,
  platform: 'node',
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && !BUNDLED.test(id),
  logLevel: 'warn',
});
await bundle.write({
  dir: dist,
  format: 'esm',
  entryFileNames: 'bin.js',
  // A chunk is named after the module it was split at, path and all (bin-mcp-endpoint-….js for
  // dist/mcp/endpoint.js), so that a stack trace or a module hook still says which part it is.
  chunkFileNames: (chunk) => `bin-${chunkName(chunk)}-[hash].js`,
});
await bundle.close();
