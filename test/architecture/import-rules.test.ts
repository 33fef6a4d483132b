/**
 * The import rule of ARCHITECTURE.md, checked on every relative import (static and dynamic) of src/:
 * no cycles between files, no import from a lower layer into a higher one, and the engine reaches
 * providers only through their contract (never a vendor adapter, the registry or the emulator).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Lowest first. A file may import its own folder and any folder of a lower layer, nothing else. */
const LAYERS: readonly (readonly string[])[] = [
  ['errors.ts', 'issues.ts', 'domain.ts', 'version.ts', 'redact-secrets.ts', 'spawn-worker.ts', 'worker-pool.ts', 'in-flight-window.ts'],
  ['schema', 'prompt', 'seeds', 'dedup', 'filters', 'cost', 'pool-threads.ts'],
  ['decontam'],
  ['dataset'],
  ['recipe', 'providers'],
  ['store'],
  ['engine', 'emulator'],
  ['api', 'view'],
  ['cli', 'index.ts'],
];

/** What the engine may use of providers/: the contract and its errors. */
const ENGINE_MAY_IMPORT_FROM_PROVIDERS = new Set(['providers/batch-provider.ts', 'providers/errors.ts']);

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** `engine/run-recipe.ts` → its relative imports, as paths under src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const path of sourceFiles(SRC)) {
    const text = readFileSync(path, 'utf8');
    const targets = [...text.matchAll(IMPORT)].map((match) => relative(SRC, resolve(dirname(path), match[1] ?? match[2]!)).replace(/\.js$/, '.ts'));
    graph.set(relative(SRC, path), [...new Set(targets)]);
  }
  return graph;
}

function unitOf(file: string): string {
  return file.split('/')[0]!;
}

function layerOf(file: string): number {
  const layer = LAYERS.findIndex((units) => units.includes(unitOf(file)));
  if (layer < 0) throw new Error(`${file} is in no layer: add its folder to LAYERS (and to ARCHITECTURE.md)`);
  return layer;
}

/** Strongly connected components with more than one file (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('the import rule', () => {
  const graph = importGraph();
  const edges = [...graph].flatMap(([from, targets]) => targets.map((to) => ({ from, to })));

  it('reads the imports (the parser finds what it must)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('index.ts')).toContain('api/run-recipe.ts');
    // A dynamic import counts too.
    expect(graph.get('api/providers.ts')).toContain('emulator/emulator.ts');
    for (const { from, to } of edges) expect(graph.has(to), `${from} imports ${to}, which does not exist`).toBe(true);
  });

  it('has no import cycle between files', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one (the checker itself)', () => {
    expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]))).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('never imports upwards: a file imports its own folder or a lower layer', () => {
    const upward = edges.filter(({ from, to }) => unitOf(from) !== unitOf(to) && layerOf(to) >= layerOf(from)).map(({ from, to }) => `${from} -> ${to}`);
    expect(upward).toEqual([]);
  });

  it('keeps the engine away from vendor adapters, the provider registry and the emulator', () => {
    const forbidden = edges
      .filter(({ from }) => unitOf(from) === 'engine')
      .filter(({ to }) => unitOf(to) === 'emulator' || (unitOf(to) === 'providers' && !ENGINE_MAY_IMPORT_FROM_PROVIDERS.has(to)))
      .map(({ from, to }) => `${from} -> ${to}`);
    expect(forbidden).toEqual([]);
  });

  it('keeps the emulator independent of the code it stands in for', () => {
    const crossing = edges.filter(({ from, to }) => unitOf(from) === 'emulator' && ['providers', 'engine', 'store'].includes(unitOf(to)));
    expect(crossing).toEqual([]);
  });
});
