import { parentPort, workerData } from 'node:worker_threads';
import type { DedupConfig } from './dedup-config.js';
import { DocumentSketcher } from './sketcher.js';

/**
 * Worker-thread entry of signature-pool.ts. It receives a batch of documents as ONE string plus a
 * Uint32Array of offsets (one structured clone per batch, not per document), sketches them
 * (sketcher.ts) and posts the flat typed arrays back as transferables (moved, not copied).
 *
 * Protocol: workerData = { config, wasm }; the worker posts { type: 'ready', kernel } once, then
 * answers each { id, texts, offsets } with { type: 'batch', id, batch } or { type: 'error', id, message }.
 */

export interface SketchRequest {
  id: number;
  texts: string;
  offsets: Uint32Array;
}

export interface SignatureWorkerData {
  config: DedupConfig;
  wasm: boolean;
}

const port = parentPort;
if (port === null) throw new Error('signature-worker.ts runs only as a worker thread');
const data = workerData as SignatureWorkerData;
const sketcher = await DocumentSketcher.create(data.config, { wasm: data.wasm });

port.on('message', (request: SketchRequest) => {
  try {
    const batch = sketcher.sketchBatch(request.texts, request.offsets);
    port.postMessage({ type: 'batch', id: request.id, batch }, [
      batch.exactKeys.buffer,
      batch.shingleStarts.buffer,
      batch.shingles.buffer,
      batch.bandKeys.buffer,
      batch.sketched.buffer,
    ]);
  } catch (error) {
    port.postMessage({ type: 'error', id: request.id, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
port.postMessage({ type: 'ready', kernel: sketcher.kernelKind });
