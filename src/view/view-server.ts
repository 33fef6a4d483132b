/**
 * Starts the viewer on a port of this machine. It binds the loopback address unless told
 * otherwise: the data may be private, and nothing here asks who is looking.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createViewApp } from './view-app.js';
import type { ViewRoots } from './view-paths.js';

export const LOOPBACK_HOST = '127.0.0.1';

export interface ViewServer {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export function startViewServer(roots: ViewRoots, options: { host?: string; port?: number } = {}): Promise<ViewServer> {
  const host = options.host ?? LOOPBACK_HOST;
  const loopback = host === LOOPBACK_HOST || host === 'localhost' || host === '::1';
  // Bound elsewhere on purpose (--host), the viewer answers whatever name reaches it.
  const app = createViewApp(roots, loopback ? { allowedHosts: ['127.0.0.1', 'localhost', '[::1]'] } : {});
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 0 }, (info: AddressInfo) => {
      const shown = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${shown}:${info.port}/`,
        host: info.address,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            if ('closeAllConnections' in server) (server as { closeAllConnections(): void }).closeAllConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}
