import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The request path reads top-down: each module imports only from its own layer (within its folder)
 * or from layers below it, so no import goes upwards and there is no import circle (type imports
 * included). A new module must be placed here; CONTRIBUTING.md shows the layers.
 */
const LAYERS: ReadonlyArray<readonly string[]> = [
  [
    'show.ts',
    'is-object.ts',
    'dist-dir.ts',
    'version.ts',
    'random.ts',
    'clock.ts',
    'ms-range.ts',
    'suggest.ts',
    'safe-write.ts',
    'jose.ts',
    'http/answer.ts',
  ],
  ['errors.ts'],
  ['http/'],
  ['failures/', 'limits/'],
  ['store/'],
  ['registration/'],
  ['authorization/'],
  [
    'discovery.ts',
    'log.ts',
    'mcp/',
    'url-file.ts',
    'control/',
    'inspector/',
    'json-server.ts',
    'json-server-guard.ts',
    'json-server-undo.ts',
    'json-server-answer.ts',
  ],
  [
    'option-types.ts',
    'option-checks.ts',
    'option-schemas.ts',
    'options.ts',
    'options-markdown.ts',
    'config-schema.ts',
    'config.ts',
    'tenants.ts',
    'app.ts',
  ],
  ['instance.ts', 'server.ts'],
  ['index.ts', 'command-line.ts', 'help.ts', 'cli-output.ts', 'cli.ts', 'bin.ts', 'playwright.ts'],
];

const SRC = join(import.meta.dirname, '../../src');

function modules(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return modules(path);
    return entry.name.endsWith('.ts') ? [relative(SRC, path)] : [];
  });
}

function importsOf(module: string): string[] {
  const text = readFileSync(join(SRC, module), 'utf8');
  const specifiers = [...text.matchAll(/^(?:import|export)[^;]*?from\s+'(\.[^']+)'/gms)].map((m) => m[1]!);
  return specifiers.map((s) => normalize(join(dirname(module), s)).replace(/\.js$/, '.ts'));
}

function layerOf(module: string): number {
  const at = LAYERS.findIndex((layer) =>
    layer.some((entry) => (entry.endsWith('/') ? module.startsWith(entry) : module === entry)),
  );
  if (at === -1) throw new Error(`${module} is in no layer: add it to LAYERS in this test`);
  return at;
}

const folderOf = (module: string) => (module.includes('/') ? module.slice(0, module.indexOf('/')) : module);

describe('module layers', () => {
  const all = modules();
  const graph = new Map(all.map((m) => [m, importsOf(m)]));

  it('every module sits in a layer', () => {
    for (const module of all) expect(() => layerOf(module)).not.toThrow();
  });

  it('no module imports from a layer above it, nor from a sibling folder of its own layer', () => {
    const upward: string[] = [];
    for (const [module, imports] of graph) {
      for (const target of imports) {
        const [from, to] = [layerOf(module), layerOf(target)];
        if (
          to > from ||
          (to === from &&
            folderOf(module) !== folderOf(target) &&
            LAYERS[from]!.length > 1 &&
            !LAYERS[from]!.includes(target))
        ) {
          upward.push(`${module} → ${target}`);
        }
      }
    }
    expect(upward).toEqual([]);
  });

  it('there is no import circle', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (module: string, path: string[]) => {
      if (state.get(module) === 'done') return;
      if (state.get(module) === 'open') {
        circles.push([...path.slice(path.indexOf(module)), module].join(' → '));
        return;
      }
      state.set(module, 'open');
      for (const target of graph.get(module) ?? []) visit(target, [...path, module]);
      state.set(module, 'done');
    };
    for (const module of all) visit(module, []);
    expect(circles).toEqual([]);
  });
});
