/**
 * Control routes under `/_emulator/` (no auth): how tests and the CLI inspect and reconfigure a standalone
 * emulator process.
 *   GET    /_emulator/stats           EmulatorStats as JSON
 *   POST   /_emulator/config          JSON body Partial<FaultOptions>; replies with the options now in force
 *   GET    /_emulator/batches/{id}    debug view of one batch: status, batch fault, faults injected
 *   GET    /_emulator/health          {"ok": true}
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SynthforgeError } from '../../errors.js';
import type { EmulatorContext } from './emulator-context.js';
import type { FaultOptions } from './emulator-options.js';
import type { EmulatorStats, FaultTally } from './emulator-stats.js';
import type { BatchFault } from './fault-decisions.js';
import { badRequest, readJsonBody, sendJson } from './http-io.js';

/** What `GET /_emulator/batches/{id}` shows of a batch of any provider. */
export interface BatchDebugView {
  id: string;
  provider: 'openai' | 'anthropic' | 'gemini';
  /** The provider's own status word at this instant. */
  status: string;
  batchFault: BatchFault | null;
  batchKey: string | null;
  faults: FaultTally | null;
}

/** The server operations the control routes reach; the server assembles them from the vendor folders. */
export interface ControlTarget {
  stats(): EmulatorStats;
  configure(faults: Partial<FaultOptions>): void;
  /** The batch with this id, whichever provider it belongs to, or null. */
  batchDebug(id: string): BatchDebugView | null;
}

export async function handleControlCall(context: EmulatorContext, server: ControlTarget, request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
  if (request.method === 'GET' && path === '/_emulator/stats') return sendJson(response, 200, server.stats());
  if (request.method === 'GET' && path === '/_emulator/health') return sendJson(response, 200, { ok: true });
  if (request.method === 'POST' && path === '/_emulator/config') {
    try {
      const body = await readJsonBody(request, 1024 * 1024, () => badRequest('config body too large'));
      server.configure((body ?? {}) as Partial<FaultOptions>);
    } catch (error) {
      if (SynthforgeError.isInstance(error)) return sendJson(response, 400, { error: { code: error.code, message: error.message } });
      throw error;
    }
    return sendJson(response, 200, { faults: context.faults });
  }
  const debug = /^\/_emulator\/batches\/([^/]+)$/.exec(path);
  if (request.method === 'GET' && debug?.[1]) {
    const view = server.batchDebug(decodeURIComponent(debug[1]));
    return view ? sendJson(response, 200, view) : sendJson(response, 404, { error: { message: 'unknown batch' } });
  }
  sendJson(response, 404, { error: { message: `unknown control route ${request.method ?? ''} ${path}` } });
}
