import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running `module`, a file beside `from` (the caller's `import.meta.url`). From
 * dist/ it loads the .js. From TypeScript sources (tests, `node --import tsx`) it first registers
 * tsx's loader: Node 20 does not pass module hooks on to worker threads.
 */
export function spawnWorker(module: string, workerData: unknown, from: string): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`./${module}.js`, from), { workerData });
  const entry = new URL(`./${module}.ts`, from).href;
  const tsxApi = pathToFileURL(tsxEsmApi(from)).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** tsx's ESM loader API (its CommonJS build cannot register hooks from a worker). */
function tsxEsmApi(from: string): string {
  const require = createRequire(from);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = require(manifestPath) as { exports: Record<string, { import?: { default?: string } }> };
  return join(dirname(manifestPath), manifest.exports['./esm/api']?.import?.default ?? './dist/esm/api/index.mjs');
}
