import { resolve } from 'node:path';
import { LOOPBACK_HOST, startViewServer, type ViewServer } from '../../view/view-server.js';

export interface ViewStarted {
  server: ViewServer;
  outputsRoot: string;
  stateDir: string;
  /** Set when --host left the loopback address: anyone who can reach the port reads the data. */
  warning?: string;
}

/** `synthforge view`: serves the read-only data viewer until the process is stopped. */
export async function viewCommand(options: { cwd: string; out?: string; state?: string; host?: string; port?: number }): Promise<ViewStarted> {
  const outputsRoot = resolve(options.cwd, options.out ?? 'outputs');
  const stateDir = resolve(options.cwd, options.state ?? '.synthforge');
  const host = options.host ?? LOOPBACK_HOST;
  const server = await startViewServer({ outputsRoot, stateDir }, { host, ...(options.port !== undefined ? { port: options.port } : {}) });
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(host);
  return {
    server,
    outputsRoot,
    stateDir,
    ...(loopback ? {} : { warning: `warning: listening on ${host}, not only this machine: anyone who can reach port ${server.port} can read these datasets (there is no login)` }),
  };
}
