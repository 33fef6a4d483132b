import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running `module`, a file beside `from` (the caller's `import.meta.url`). From
 * dist/ it loads the .js. From TypeScript sources (tests, `node --import tsx`) it loads the compiled
 * twin where dist/ is fresh (`builtTwin`, below), else it first registers tsx's loader: Node 20 does not
 * pass module hooks on to worker threads. `imports`: module URLs the worker will import by name
 * (passed through `workerData`); one that only tsx can load keeps the worker on tsx.
 */
export function spawnWorker(module: string, workerData: unknown, from: string, imports: readonly string[] = []): Worker {
  if (!from.endsWith('.ts')) return startWorker(new URL(`./${module}.js`, from), workerData);
  const entry = new URL(`./${module}.ts`, from).href;
  const built = builtTwin(entry);
  if (built !== undefined && imports.every((url) => !url.endsWith('.ts'))) return startWorker(new URL(built), workerData);
  const tsxApi = pathToFileURL(tsxEsmApi(from)).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * A worker from a file. It inherits the process's Node options, V8's included (`--max-old-space-size`,
 * `--expose-gc`), unless some name the main script (`workerExecArgv`): those options are then passed
 * explicitly, and Node refuses V8 and process-wide ones given that way (ERR_WORKER_INVALID_EXEC_ARGV,
 * naming them). Those it named are dropped: V8's flags are the process's anyway.
 */
function startWorker(url: URL, workerData: unknown): Worker {
  const execArgv = workerExecArgv(process.execArgv);
  if (execArgv === undefined) return new Worker(url, { workerData });
  try {
    return new Worker(url, { workerData, execArgv });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    const refused = new Set((error as Error).message.replace(/^[^:]*:/, '').split(',').map((option) => option.trim()));
    return new Worker(url, { workerData, execArgv: execArgv.filter((option) => !refused.has(option)) });
  }
}

/**
 * The process's Node options less those that say what the main script is, or undefined when there is
 * none (a worker then inherits them all). Inherited, `--input-type` fails a worker's start ("can only
 * be used with string input"), so a program run as `node --input-type=module -e '…'` could start no
 * thread.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] | undefined {
  const kept: string[] = [];
  for (let index = 0; index < execArgv.length; index++) {
    const option = execArgv[index]!;
    if (SCRIPT_OPTIONS.includes(option)) index++;
    else if (!SCRIPT_OPTIONS.some((name) => name.startsWith('--') && option.startsWith(`${name}=`))) kept.push(option);
  }
  return kept.length === execArgv.length ? undefined : kept;
}

const SCRIPT_OPTIONS = ['--input-type', '-e', '--eval', '-p', '--print'];

/** tsx's ESM loader API (its CommonJS build cannot register hooks from a worker). */
function tsxEsmApi(from: string): string {
  const require = createRequire(from);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = require(manifestPath) as { exports: Record<string, { import?: { default?: string } }> };
  return join(dirname(manifestPath), manifest.exports['./esm/api']?.import?.default ?? './dist/esm/api/index.mjs');
}

/*
 * The compiled twin of a source module, for code that runs from the TypeScript sources (the tests,
 * `node --import tsx`). A worker thread started from a source module has to register tsx's loader
 * again (Node 20 does not pass module hooks on to worker threads), and then every module it loads
 * goes through the loader's hooks, on their own thread: 0.15–0.25 s of CPU per thread started, most
 * of the time of a test that starts a few (measured: the write-threads tests 33 s → 16 s from dist/).
 * Where dist/ is as new as every source, its twin runs the same code, compiled.
 *
 * Only while dist/ is fresh as a whole: a source edited since the last build (a developer running one
 * test file without `npm run build`) makes every caller fall back to the sources, so nothing ever runs
 * code older than what the calling thread runs. The package as installed has no src/: there the
 * callers never get here.
 */

/** The first file of `<root>/src/` whose compiled twin in `<root>/dist/` is missing or older, as a path from the root. */
export function staleDistFile(root: string): string | undefined {
  const walk = (directory: string): string | undefined => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        const found = walk(path);
        if (found !== undefined) return found;
        continue;
      }
      if (!entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) continue;
      const compiled = join(root, 'dist', relative(join(root, 'src'), path)).replace(/\.ts$/, '.js');
      let compiledAt: number;
      try {
        compiledAt = statSync(compiled).mtimeMs;
      } catch {
        return relative(root, path);
      }
      if (compiledAt < statSync(path).mtimeMs) return relative(root, path);
    }
    return undefined;
  };
  return walk(join(root, 'src'));
}

/** This repository's root (this file lies in its src/ or dist/). */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Decided once per process: walking src/ takes a few milliseconds. */
let distFresh: boolean | undefined;

/**
 * The file URL of `moduleUrl`'s compiled twin (`src/a/b.ts` → `dist/a/b.js`) when `moduleUrl` is a
 * source of this repository and dist/ is as new as every source; else undefined.
 * SYNTHFORGE_FROM_SOURCES=1 turns it off (to measure or debug the sources themselves).
 */
export function builtTwin(moduleUrl: string): string | undefined {
  const twin = twinOf(ROOT, moduleUrl);
  if (twin === undefined) return undefined;
  distFresh ??= process.env.SYNTHFORGE_FROM_SOURCES !== '1' && staleDistFile(ROOT) === undefined;
  return distFresh ? twin : undefined;
}

/** `<root>/src/a/b.ts` → the file URL of `<root>/dist/a/b.js`; undefined for any other module. */
export function twinOf(root: string, moduleUrl: string): string | undefined {
  if (!moduleUrl.startsWith('file:') || !moduleUrl.endsWith('.ts') || moduleUrl.endsWith('.d.ts')) return undefined;
  const fromSrc = relative(join(root, 'src'), fileURLToPath(moduleUrl));
  if (fromSrc.startsWith(`..${sep}`) || isAbsolute(fromSrc)) return undefined;
  return pathToFileURL(join(root, 'dist', fromSrc.replace(/\.ts$/, '.js'))).href;
}
