// The measuring children run compiled, against dist/ (the code the CLI runs), not under tsx.
// Under tsx every worker thread a child starts (dedup's sketch workers, the Parquet thread, its
// encode threads) registers tsx's loader again and loads its modules through the loader's hooks:
// ≈ 0.15–0.25 s of CPU per thread and ≈ 0.8 s of the post-processing bench's 9.3 s of wall at 100K
// lines, a cost no user pays. The bench scripts are transpiled one file at a time (no type check:
// `npm run typecheck` does that) into .bench-build/, a sibling of bench/, with their `../src/`
// imports pointed at `../dist/`, so relative paths inside them resolve as before.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type TypeScript from 'typescript';
import { staleDistFile } from '../src/spawn-worker.js';

export const BENCH_BUILD_DIRECTORY = '.bench-build';

/**
 * Transpiles bench/*.ts into `<root>/.bench-build/` and returns that folder, or returns the
 * reason it cannot: dist/ missing or older than a file of src/ (children would measure stale code).
 */
export function compileBench(root: string): { directory: string } | { stale: string } {
  const stale = staleDistFile(root);
  if (stale !== undefined) return { stale };
  const source = join(root, 'bench');
  const target = join(root, BENCH_BUILD_DIRECTORY);
  mkdirSync(target, { recursive: true });
  // Loaded here, not on import: every measuring child imports this module (through bench-child.ts),
  // and the compiler (≈ 15 MB of heap) would sit in the heap it measures, which no user's process
  // holds; the size of that heap changes what V8's collector does (bench/README.md, "heap").
  const ts = createRequire(import.meta.url)('typescript') as typeof TypeScript;
  for (const name of readdirSync(source)) {
    if (!name.endsWith('.ts') || name.endsWith('.d.ts')) continue;
    const input = readFileSync(join(source, name), 'utf8');
    const { outputText } = ts.transpileModule(input, {
      fileName: name,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    });
    // Renamed into place: a child another process starts meanwhile never reads a half-written file.
    const path = join(target, name.replace(/\.ts$/, '.js'));
    writeFileSync(`${path}.${process.pid}.tmp`, pointAtDist(outputText));
    renameSync(`${path}.${process.pid}.tmp`, path);
  }
  return { directory: target };
}

/** `from '../src/x.js'` (and `import('../src/x.js')`) → `../dist/x.js`. */
export function pointAtDist(code: string): string {
  return code.replace(/(['"])\.\.\/src\//g, '$1../dist/');
}
