import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../spawn-worker.js';
import type { DedupConfig } from './dedup-spec.js';
import { DedupWorkerError } from './errors.js';
import { splitBands, type PartitionCandidates } from './band-partition.js';
import type { SketchBatch } from './document-sketcher.js';
import type { ProbedCandidates } from './text-dedup-index.js';
import type { SketchWorkerData, WorkerRequest } from './sketch-worker.js';
import type { StageLines } from './stage-line-batch.js';

/** A batch of stage lines parsed and sketched by a worker: `bytes` are the lines, handed back. */
export interface SketchedLines {
  lines: StageLines;
  batch: SketchBatch;
  bytes: Uint8Array<ArrayBuffer>;
}

/**
 * A fixed pool of worker threads (sketch-worker.ts) that sketch batches of documents, so the
 * CPU-heavy front end (normalise, hash, MinHash) runs in parallel, and that hold the LSH index split
 * by band (openBands, band-partition.ts), so probing it runs in parallel too; the calling thread
 * keeps only the ordered decisions (exact keys, verification, clusters). We measured 1.94–1.97×
 * the single-thread sketching rate on 2 workers.
 *
 * - A batch travels as one transferred buffer of UTF-8 bytes plus offsets, and comes back as
 *   transferred typed arrays: no structured clone per document, no copy of the batch either way
 *   (encoding costs the main thread about half of what joining and cloning one string did).
 * - Each batch goes to the worker with the fewest batches outstanding; results are promises, so the
 *   caller can keep several batches in flight and still consume them in input order.
 * - Workers are ref'd only while they owe a result: an idle pool never keeps the process alive, a
 *   busy one does (so an awaited batch cannot be lost to an early exit).
 * - Workers are started by spawn-worker.ts (from dist/, or under tsx with its loader registered).
 */

interface PendingRequest {
  resolve(answer: SketchBatch | SketchedLines | PartitionCandidates | undefined): void;
  reject(error: Error): void;
}

interface PoolWorker {
  worker: Worker;
  outstanding: Map<number, PendingRequest>;
}

type WorkerMessage =
  | { type: 'ready'; kernel: 'js' | 'wasm' | 'none' }
  | { type: 'batch'; id: number; batch: SketchBatch }
  | ({ type: 'lines'; id: number } & SketchedLines)
  | ({ type: 'candidates'; id: number } & PartitionCandidates)
  | { type: 'closed'; id: number }
  | { type: 'error'; id: number; message: string };

/**
 * One stream's LSH index, held by the pool's workers in band partitions. Probes must be sent in
 * input order (each worker keeps its messages in order); answers come back as promises.
 */
export interface BandSession {
  /** How many partitions (workers) hold the bands. */
  readonly partitions: number;
  /**
   * Probes and inserts a chunk: `bandKeys` (bands per document) and `entered` (document numbers,
   * negative = not indexed) must be views of SharedArrayBuffers, which every partition reads.
   */
  probe(bandKeys: Int32Array, entered: Int32Array, count: number): Promise<ProbedCandidates & { byteLength: number; spilledBytes: number }>;
  /**
   * Drops the partitions' tables and closes their run files (answers still outstanding arrive
   * first); resolves once every partition has, and at once when the pool is closed or failed.
   */
  close(): Promise<void>;
}

export class SketchPool {
  private nextId = 0;
  private nextSession = 0;
  private closed = false;
  private failure: Error | undefined;

  private constructor(
    private readonly workers: PoolWorker[],
    /** The parameters the workers sketch with; a batch is only valid for an index with the same. */
    readonly config: DedupConfig,
    /** The kernel the workers run. */
    readonly kernel: 'js' | 'wasm' | 'none',
  ) {}

  static async create(config: DedupConfig, size: number, options: { wasm?: boolean } = {}): Promise<SketchPool> {
    const data: SketchWorkerData = { config, wasm: options.wasm ?? true };
    const started = await Promise.allSettled(Array.from({ length: size }, () => startWorker(data)));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(started.map((result) => (result.status === 'fulfilled' ? result.value.worker.terminate() : undefined)));
      throw failed.reason as Error;
    }
    const ready = started.map((result) => (result as PromiseFulfilledResult<{ worker: Worker; kernel: 'js' | 'wasm' | 'none' }>).value);
    const pool = new SketchPool(
      ready.map(({ worker }) => ({ worker, outstanding: new Map() })),
      config,
      ready[0]?.kernel ?? 'none',
    );
    for (const member of pool.workers) pool.listen(member);
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Sketches `texts` in a worker; the batch's document i is texts[i]. */
  sketch(texts: readonly string[]): Promise<SketchBatch> {
    const { bytes, offsets } = encodeTexts(texts);
    return this.sketchEncoded(bytes, offsets);
  }

  /**
   * Sketches texts already encoded by encodeTexts(); both buffers are transferred (detached here).
   * Encoding runs on the caller's thread, so a caller that can encode elsewhere saves that share.
   */
  sketchEncoded(bytes: Uint8Array<ArrayBuffer>, offsets: Uint32Array<ArrayBuffer>): Promise<SketchBatch> {
    return this.request(this.leastBusy(), (id) => ({ type: 'sketch', id, bytes, offsets }), [bytes.buffer, offsets.buffer]) as Promise<SketchBatch>;
  }

  /**
   * Parses a batch of whole stage lines and sketches the compared `fields` of each record, in a
   * worker (stage-line-batch.ts); `bytes` is transferred there and handed back with the answer.
   */
  sketchLines(bytes: Uint8Array<ArrayBuffer>, fields: readonly string[]): Promise<SketchedLines> {
    return this.request(this.leastBusy(), (id) => ({ type: 'lines', id, bytes, fields: [...fields] }), [bytes.buffer]) as Promise<SketchedLines>;
  }

  private leastBusy(): PoolWorker {
    let target = this.workers[0]!;
    for (const member of this.workers) if (member.outstanding.size < target.outstanding.size) target = member;
    return target;
  }

  /**
   * Opens an empty LSH index of `bands` bands split over the workers (at most one partition per
   * band), for one stream. Several sessions may be open at once; each has its own tables.
   * `maxLshBytes` is the memory of all partitions' live tables together (each gets its bands'
   * share); past it they spill to `spillDirectory` (tiered-lsh.ts). `expectedDocs` sizes the tables.
   */
  openBands(bands: number, maxPerBucket: number, options: { maxLshBytes?: number; spillDirectory?: string; expectedDocs?: number } = {}): BandSession {
    const session = this.nextSession++;
    const ranges = splitBands(bands, this.workers.length);
    const maxLshBytes = options.maxLshBytes ?? Number.POSITIVE_INFINITY;
    const { spillDirectory, expectedDocs } = options;
    const members = ranges.map((range, index) => {
      const member = this.workers[index]!;
      const maxLiveBytes = (maxLshBytes * range.bandCount) / bands;
      this.post(member, { type: 'open', session, bands, range, maxPerBucket, maxLiveBytes, spillDirectory, expectedDocs });
      return member;
    });
    return {
      partitions: members.length,
      probe: async (bandKeys, entered, count) => {
        const answers = (await Promise.all(
          members.map((member) => this.request(member, (id) => ({ type: 'probe', id, session, bandKeys, entered, count }), [])),
        )) as PartitionCandidates[];
        let byteLength = 0;
        let spilledBytes = 0;
        for (const answer of answers) {
          byteLength += answer.byteLength;
          spilledBytes += answer.spilledBytes;
        }
        return { parts: answers, byteLength, spilledBytes };
      },
      close: async () => {
        if (this.closed || this.failure !== undefined) return;
        await Promise.all(members.map((member) => this.request(member, (id) => ({ type: 'close', id, session }), []).catch(() => undefined)));
      },
    };
  }

  private post(member: PoolWorker, message: WorkerRequest): void {
    if (this.failure !== undefined || this.closed) return;
    member.worker.postMessage(message);
  }

  private request(member: PoolWorker, message: (id: number) => WorkerRequest, transfer: ArrayBuffer[]): Promise<SketchBatch | SketchedLines | PartitionCandidates | undefined> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new DedupWorkerError('the sketch worker pool is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      member.outstanding.set(id, { resolve, reject });
      member.worker.ref();
      member.worker.postMessage(message(id), transfer);
    });
  }

  /** Stops every worker; batches still outstanding are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new DedupWorkerError('the sketch worker pool was closed with batches outstanding'));
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }

  private listen(member: PoolWorker): void {
    const { worker, outstanding } = member;
    worker.unref();
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') return;
      const pending = outstanding.get(message.id);
      if (pending === undefined) return;
      outstanding.delete(message.id);
      if (outstanding.size === 0) worker.unref();
      if (message.type === 'batch') pending.resolve(message.batch);
      else if (message.type === 'lines') pending.resolve({ lines: message.lines, batch: message.batch, bytes: message.bytes });
      else if (message.type === 'candidates') pending.resolve(message);
      else if (message.type === 'closed') pending.resolve(undefined);
      else pending.reject(new DedupWorkerError(`a sketch worker failed: ${message.message}`));
    });
    worker.on('error', (error) => this.fail(new DedupWorkerError(`a sketch worker crashed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(new DedupWorkerError(`a sketch worker exited unexpectedly (code ${code})`));
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.failAll(error);
  }

  private failAll(error: Error): void {
    for (const { worker, outstanding } of this.workers) {
      for (const pending of outstanding.values()) pending.reject(error);
      outstanding.clear();
      worker.unref();
    }
  }
}

const encoder = new TextEncoder();

/**
 * The texts as UTF-8, back to back, with byte offsets. Sized for the ASCII case and grown at most
 * once, to the bound of 3 bytes per UTF-16 code unit for what is left. A lone surrogate becomes
 * U+FFFD, which normalises to a word break exactly like the lone surrogate itself.
 */
export function encodeTexts(texts: readonly string[]): { bytes: Uint8Array<ArrayBuffer>; offsets: Uint32Array<ArrayBuffer> } {
  let remaining = 0;
  for (const text of texts) remaining += text.length;
  let bytes = new Uint8Array(remaining + 64);
  const offsets = new Uint32Array(texts.length + 1);
  let position = 0;
  for (let index = 0; index < texts.length; index++) {
    const text = texts[index]!;
    let result = encoder.encodeInto(text, bytes.subarray(position));
    if (result.read < text.length) {
      const grown = new Uint8Array(position + remaining * 3 + 64);
      grown.set(bytes.subarray(0, position));
      bytes = grown;
      result = encoder.encodeInto(text, bytes.subarray(position));
    }
    position += result.written;
    remaining -= text.length;
    offsets[index + 1] = position;
  }
  return { bytes, offsets };
}

function startWorker(data: SketchWorkerData): Promise<{ worker: Worker; kernel: 'js' | 'wasm' | 'none' }> {
  const worker = spawnWorker('sketch-worker', data, import.meta.url);
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerMessage): void => {
      if (message.type !== 'ready') return;
      cleanup();
      resolve({ worker, kernel: message.kernel });
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(new DedupWorkerError(`a sketch worker failed to start: ${error.message}`, { cause: error }));
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new DedupWorkerError(`a sketch worker exited during start-up (code ${code})`));
    };
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
