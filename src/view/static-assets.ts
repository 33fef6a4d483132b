/**
 * The page's few files, served from a fixed list: the viewer's own three (copied beside the
 * compiled code by the build) and uPlot's script and stylesheet from its installed package. No
 * path from a request ever reaches the file system here.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';

const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
const require = createRequire(import.meta.url);

const ASSETS: Record<string, { file: () => string; type: string }> = {
  '/': { file: () => `${STATIC_DIR}index.html`, type: 'text/html; charset=utf-8' },
  '/app.js': { file: () => `${STATIC_DIR}app.js`, type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: () => `${STATIC_DIR}app.css`, type: 'text/css; charset=utf-8' },
  '/vendor/uPlot.iife.min.js': { file: () => require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/vendor/uPlot.min.css': { file: () => require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

export function addStaticAssets(app: Hono): void {
  // Browsers ask for it on their own; there is none, and a 404 would read as an error in the console.
  app.get('/favicon.ico', (c) => c.body(null, 204));
  const cache = new Map<string, Buffer>();
  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, async (c) => {
      let body = cache.get(path);
      if (!body) cache.set(path, (body = await readFile(asset.file())));
      return c.body(new Uint8Array(body), 200, { 'content-type': asset.type, 'cache-control': 'no-cache' });
    });
  }
}
