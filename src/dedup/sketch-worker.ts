import { parentPort, workerData } from 'node:worker_threads';
import { BandPartition, type BandRange } from './band-partition.js';
import type { DedupConfig } from './dedup-spec.js';
import { DocumentSketcher } from './document-sketcher.js';

/**
 * Worker-thread entry of sketch-pool.ts. Two jobs:
 *
 * - sketch: a batch of documents arrives as ONE transferred buffer of UTF-8 bytes plus a Uint32Array
 *   of byte offsets (no structured clone per document, no copy of the batch); each document is
 *   sketched from its bytes (document-sketcher.ts; decoded only when not ASCII) and the flat typed arrays go back transferred
 *   (moved, not copied), except the band keys, which are in shared memory so that the calling
 *   thread can hand the same keys to every band partition without a copy.
 * - probe: this worker's share of the LSH index (band-partition.ts), one per open session, answers a
 *   chunk's candidates. A worker handles its messages in the order they were posted, which is what
 *   keeps each partition's inserts in input order.
 *
 * Protocol: workerData = { config, wasm }; the worker posts { type: 'ready', kernel } once, then
 * answers each request carrying an id with { type: 'batch' | 'candidates' | 'closed', id, … } or
 * { type: 'error', id, message }; 'open' is not answered. A partition's run files are
 * closed by 'close' (answered, so the caller can wait for it before stopping the worker).
 */

export type WorkerRequest = SketchRequest | OpenRequest | ProbeRequest | CloseRequest;

export interface SketchRequest {
  type: 'sketch';
  id: number;
  /** UTF-8 bytes of the documents, back to back; document i is bytes[offsets[i], offsets[i + 1]). */
  bytes: Uint8Array;
  offsets: Uint32Array;
}

export interface OpenRequest {
  type: 'open';
  session: number;
  bands: number;
  range: BandRange;
  maxPerBucket: number;
  /** Memory this partition's live band table may take before it spills (tiered-lsh.ts). */
  maxLiveBytes: number;
  spillDirectory: string | undefined;
  /** Documents the stream expects (its tables are sized for them up front); undefined when unknown. */
  expectedDocs: number | undefined;
}

export interface ProbeRequest {
  type: 'probe';
  id: number;
  session: number;
  /** Shared memory: `bands` keys per document. */
  bandKeys: Int32Array;
  /** Shared memory: each document's number, negative when it is not indexed. */
  entered: Int32Array;
  count: number;
}

/** Answered with { type: 'closed', id } once the partition's files are closed. */
export interface CloseRequest {
  type: 'close';
  id: number;
  session: number;
}

export interface SketchWorkerData {
  config: DedupConfig;
  wasm: boolean;
}

const port = parentPort;
if (port === null) throw new Error('sketch-worker.ts runs only as a worker thread');
const data = workerData as SketchWorkerData;
const sketcher = await DocumentSketcher.create(data.config, { wasm: data.wasm });
const partitions = new Map<number, BandPartition>();

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'open') {
    const { maxLiveBytes, spillDirectory, expectedDocs } = request;
    partitions.set(
      request.session,
      new BandPartition(request.bands, request.range, request.maxPerBucket, {
        maxLiveBytes,
        ...(spillDirectory === undefined ? {} : { spillDirectory }),
        ...(expectedDocs === undefined ? {} : { expectedDocs }),
      }),
    );
    return;
  }
  try {
    if (request.type === 'close') {
      partitions.get(request.session)?.close();
      partitions.delete(request.session);
      port.postMessage({ type: 'closed', id: request.id });
      return;
    }
    if (request.type === 'probe') {
      const partition = partitions.get(request.session);
      if (partition === undefined) throw new Error(`no band partition is open for session ${request.session}`);
      const answer = partition.probe(request.bandKeys, request.entered, request.count);
      port.postMessage({ type: 'candidates', id: request.id, ...answer }, [answer.starts.buffer, answer.candidates.buffer]);
      return;
    }
    const { bytes, offsets } = request;
    const batch = sketcher.sketchUtf8Batch(bytes, offsets, { sharedBandKeys: true });
    port.postMessage({ type: 'batch', id: request.id, batch }, [
      batch.exactKeys.buffer,
      batch.shingleStarts.buffer,
      batch.shingles.buffer,
      batch.sketched.buffer,
    ]);
  } catch (error) {
    port.postMessage({ type: 'error', id: request.id, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
port.postMessage({ type: 'ready', kernel: sketcher.kernelKind });
