/**
 * The viewer's HTTP application: read-only JSON routes under /api and the page's static files.
 * Errors users cause (a dataset or run that is not there, a bad parameter) come back as JSON
 * `{ error: { code, message } }` with 404 or 400; anything else is a 500 with its message.
 */
import { Hono } from 'hono';
import { SynthforgeError } from '../errors.js';
import { addDatasetRoutes } from './dataset-routes.js';
import { addRunRoutes } from './run-routes.js';
import { addStaticAssets } from './static-assets.js';
import type { ViewRoots } from './view-paths.js';

const NOT_FOUND_CODES = new Set(['dataset_not_found', 'run_not_found', 'sample_not_found']);

// Rows are untrusted text. The page renders them with textContent, and this policy makes sure
// nothing else runs even if that were ever got wrong: no inline script, nothing from elsewhere.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function createViewApp(roots: ViewRoots, options: { allowedHosts?: readonly string[] } = {}): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    // A page on another site can resolve its own name to 127.0.0.1 (DNS rebinding); the Host it
    // sends then names that site, so only the names of this machine are answered.
    const host = (c.req.header('host') ?? '').replace(/:\d+$/, '').toLowerCase();
    if (options.allowedHosts && !options.allowedHosts.includes(host)) return c.text(`host "${host}" not allowed`, 403);
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
  });
  addDatasetRoutes(app, roots);
  addRunRoutes(app, roots);
  addStaticAssets(app);
  app.notFound((c) => (c.req.path.startsWith('/api/') ? c.json({ error: { code: 'not_found', message: `no such route: ${c.req.path}` } }, 404) : c.text('not found', 404)));
  app.onError((error, c) => {
    if (SynthforgeError.isInstance(error)) {
      const status = NOT_FOUND_CODES.has(error.code) ? 404 : error.exitCode === 2 ? 400 : 500;
      return c.json({ error: { code: error.code, message: error.message } }, status);
    }
    return c.json({ error: { code: 'internal', message: error instanceof Error ? error.message : String(error) } }, 500);
  });
  return app;
}
