/**
 * Control routes under `/_emulator/` (no auth): how tests and the CLI inspect and reconfigure a standalone
 * emulator process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { anthropicBatchPhase } from '../anthropic/anthropic-batch-record.js';
import type { EmulatorContext } from './emulator-context.js';
import type { FaultOptions } from './emulator-options.js';
import type { EmulatorStats } from './emulator-stats.js';
import { geminiBatchPhase } from '../gemini/gemini-batch-record.js';
import { badRequest, readJsonBody, sendJson } from './http-io.js';
import { openAIBatchPhase } from '../openai/openai-batch-record.js';
import { SynthforgeError } from '../../errors.js';

export interface ControlTarget {
  stats(): EmulatorStats;
  configure(faults: Partial<FaultOptions>): void;
}

function batchDebug(context: EmulatorContext, id: string): Record<string, unknown> | null {
  const openai = context.openaiBatches.get(id);
  if (openai) {
    return {
      id,
      provider: 'openai',
      status: openAIBatchPhase(openai, context.clock()).status,
      batchFault: openai.scan?.batchFault ?? null,
      batchKey: openai.scan?.batchKey ?? null,
      faults: openai.final?.faults ?? null,
    };
  }
  const anthropic = context.anthropicBatches.get(id);
  if (anthropic) {
    return {
      id,
      provider: 'anthropic',
      status: anthropicBatchPhase(anthropic, context.clock()).status,
      batchFault: anthropic.run?.batchFault ?? null,
      batchKey: anthropic.run?.batchKey ?? null,
      faults: anthropic.final?.faults ?? null,
    };
  }
  const gemini = context.geminiBatches.get(id.replace(/^batches\//, ''));
  if (gemini) {
    return {
      id: gemini.id,
      provider: 'gemini',
      status: geminiBatchPhase(gemini, context.clock()).state,
      batchFault: gemini.scan?.batchFault ?? null,
      batchKey: gemini.scan?.batchKey ?? null,
      faults: gemini.final?.faults ?? null,
    };
  }
  return null;
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
    const view = batchDebug(context, decodeURIComponent(debug[1]));
    return view ? sendJson(response, 200, view) : sendJson(response, 404, { error: { message: 'unknown batch' } });
  }
  sendJson(response, 404, { error: { message: `unknown control route ${request.method ?? ''} ${path}` } });
}

