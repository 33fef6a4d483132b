import { parentPort, workerData } from 'node:worker_threads';
import { BandPartition, type BandRange } from './band-partition.js';
import type { DedupConfig } from './dedup-spec.js';
import { DocumentSketcher, type SketchBatch } from './document-sketcher.js';
import { sketchStageLines } from './stage-line-batch.js';
import { StageRecordLocator } from './stage-record-locator.js';

/**
 * Worker-thread entry of sketch-pool.ts. Two jobs:
 *
 * - lines: a batch of raw stage lines (one transferred buffer) is cut, its ids and compared texts
 *   read (stage-line-batch.ts: from the bytes where it can, else by JSON.parse) and sketched here,
 *   so the calling thread never parses a record it keeps.
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

export type WorkerRequest = SketchRequest | LinesRequest | OpenRequest | ProbeRequest | CloseRequest;

export interface SketchRequest {
  type: 'sketch';
  id: number;
  /** UTF-8 bytes of the documents, back to back; document i is bytes[offsets[i], offsets[i + 1]). */
  bytes: Uint8Array;
  offsets: Uint32Array;
}

/**
 * Stage lines (stage-line-batch.ts): parsed, their compared texts sketched; answered with
 * { type: 'lines', id, lines, batch, bytes }, the bytes transferred back for the caller to write.
 */
export interface LinesRequest {
  type: 'lines';
  id: number;
  bytes: Uint8Array<ArrayBuffer>;
  /** The spec's compared field paths. */
  fields: string[];
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
const locators = new Map<string, StageRecordLocator>();

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
    if (request.type === 'lines') {
      const { lines, batch } = sketchStageLines(request.bytes, request.fields, sketcher, locatorFor(request.fields), { sharedBandKeys: true });
      port.postMessage({ type: 'lines', id: request.id, lines, batch, bytes: request.bytes }, [
        ...batchBuffers(batch),
        lines.starts.buffer,
        lines.ends.buffer,
        lines.failed.buffer,
        request.bytes.buffer,
      ]);
      return;
    }
    const { bytes, offsets } = request;
    const batch = sketcher.sketchUtf8Batch(bytes, offsets, { sharedBandKeys: true });
    port.postMessage({ type: 'batch', id: request.id, batch }, batchBuffers(batch));
  } catch (error) {
    port.postMessage({ type: 'error', id: request.id, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
port.postMessage({ type: 'ready', kernel: sketcher.kernelKind });

/** One locator per compared-field list (a pool serves one spec, so this is nearly always one). */
function locatorFor(fields: string[]): StageRecordLocator {
  const key = JSON.stringify(fields);
  let locator = locators.get(key);
  if (locator === undefined) {
    locator = new StageRecordLocator(fields);
    locators.set(key, locator);
  }
  return locator;
}

/** A batch's own arrays, moved to the caller (the band keys are shared memory). */
function batchBuffers(batch: SketchBatch): ArrayBuffer[] {
  return [batch.exactKeys.buffer, batch.shingleStarts.buffer, batch.shingles.buffer, batch.sketched.buffer];
}
