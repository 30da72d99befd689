#!/usr/bin/env node
import module from 'node:module';

// On Node 22.1 and later, V8's compiled code of the modules a start loads is kept on disk (in the
// system's temp folder, or NODE_COMPILE_CACHE), so that the next start does not compile them again.
// It must be on before they load, hence the import below rather than at the top.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { main } = await import('./cli.js');

process.exitCode = await main(process.argv.slice(2));
