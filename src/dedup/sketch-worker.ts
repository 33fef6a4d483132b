import { parentPort, workerData } from 'node:worker_threads';
import type { DedupConfig } from './dedup-spec.js';
import { DocumentSketcher } from './document-sketcher.js';

/**
 * Worker-thread entry of sketch-pool.ts. It receives a batch of documents as ONE transferred
 * buffer of UTF-8 bytes plus a Uint32Array of byte offsets (no structured clone per document, and
 * no copy of the batch at all), decodes each document, sketches it (document-sketcher.ts) and posts the flat
 * typed arrays back as transferables (moved, not copied).
 *
 * Protocol: workerData = { config, wasm }; the worker posts { type: 'ready', kernel } once, then
 * answers each { id, bytes, offsets } with { type: 'batch', id, batch } or { type: 'error', id, message }.
 */

export interface SketchRequest {
  id: number;
  /** UTF-8 bytes of the documents, back to back; document i is bytes[offsets[i], offsets[i + 1]). */
  bytes: Uint8Array;
  offsets: Uint32Array;
}

export interface SketchWorkerData {
  config: DedupConfig;
  wasm: boolean;
}

const port = parentPort;
if (port === null) throw new Error('sketch-worker.ts runs only as a worker thread');
const data = workerData as SketchWorkerData;
const sketcher = await DocumentSketcher.create(data.config, { wasm: data.wasm });
const decoder = new TextDecoder();

port.on('message', (request: SketchRequest) => {
  try {
    const { bytes, offsets } = request;
    const batch = sketcher.sketchBatch(offsets.length - 1, (doc) => decoder.decode(bytes.subarray(offsets[doc]!, offsets[doc + 1]!)));
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
