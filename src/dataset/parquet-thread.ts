import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { EXIT_CODES, SynthforgeError, type ErrorDetails, type ExitKind } from '../errors.js';
import { spawnWorker } from '../spawn-worker.js';
import type { ColumnSpec } from './column-kinds.js';
import { WriteWorkerError } from './errors.js';
import type { FileDigest } from './file-digest.js';

/** The codec as it crosses the thread boundary: the thread loads its own compressor. */
export interface CodecChoice {
  codec: 'ZSTD' | 'SNAPPY';
  /** zstd's level; absent: zstd-compressor.ts's default. */
  level?: number;
}

/**
 * What the main thread asks of parquet-worker.ts. `convert` writes a file from a finished JSONL file;
 * `open` starts one from a JSONL file still being written, which `grow` says how far is on disk, and
 * which ends with `end` (its final size) or `discard` (the file removed).
 */
export type ParquetWorkerRequest =
  | { type: 'convert' | 'open'; id: number; jsonlPath: string; parquetPath: string; columns: readonly ColumnSpec[]; codec: CodecChoice }
  | { type: 'grow' | 'end'; id: number; bytes: number }
  | { type: 'discard'; id: number };

/** The answer to a `convert`, or to an `open` once it was ended (a digest) or discarded (none). */
export type ParquetWorkerReply =
  | { type: 'done'; id: number; digest?: FileDigest }
  | { type: 'error'; id: number; error: ThreadError };

/** An error as it crosses a thread boundary: a system error keeps its code and path (a full disk is reported as such). */
export interface ThreadError {
  message: string;
  code?: string;
  path?: string;
  syscall?: string;
  /** A SynthforgeError's class name, exit kind and details: rebuilt as one, so the CLI still prints it as intended. */
  synthforge?: { name: string; exit: ExitKind; details: ErrorDetails };
}

/** What the Parquet thread is started with. */
export interface ParquetThreadData {
  /** Threads encoding row groups; 1: the Parquet thread encodes them itself. */
  encoders: number;
}

/** Encode threads at most: past this the Parquet thread's reading and appending would be the limit. */
const MAX_ENCODERS = 8;

/**
 * How many threads encode row groups: `SYNTHFORGE_PARQUET_ENCODERS` when set (tests, a shared
 * machine), else one per core but the main thread's (busy with pass 1 for much of the write), up to
 * `MAX_ENCODERS`. Two cores keep the single Parquet thread: a second encoder there costs ≈ 20% more
 * CPU (one more isolate's start and JIT) for a write that is already about as long as its CPU
 * over two cores. 0, the default on one core: no Parquet thread at all, the calling thread converts
 * each shard once pass 1 is done. With no core to run it beside pass 1, the thread only added its own
 * start, JIT, heap and messages: on one core it cost ≈ 10% of post-processing's CPU and ≈ 130 MiB
 * of peak memory (bench/README.md, "Eleventh session").
 */
export function parquetEncoders(): number {
  const variable = process.env.SYNTHFORGE_PARQUET_ENCODERS;
  const wanted = variable === undefined || variable === '' ? Number.NaN : Number(variable);
  if (Number.isInteger(wanted) && wanted >= 0) return wanted;
  const cores = availableParallelism();
  return cores <= 1 ? 0 : Math.min(cores - 1, MAX_ENCODERS);
}

interface Pending {
  resolve(digest: FileDigest | undefined): void;
  reject(error: Error): void;
}

/** A Parquet file the thread writes while its JSONL file is still being written. */
export interface ParquetStream {
  /** `bytes` of the JSONL file are on disk, ending at a line's end. */
  grow(bytes: number): void;
  /** The JSONL file is complete at `bytes`: resolves with the Parquet file's digest. */
  end(bytes: number): Promise<FileDigest>;
  /** The rows' schema changed: the partial file is removed. Resolves once it is gone. */
  discard(): Promise<void>;
}

/**
 * One worker thread that writes the Parquet files of one dataset write (parquet-worker.ts), started
 * on first use. It is sent paths and byte counts, not rows: it reads each JSONL file itself, so the
 * main thread neither buffers, joins nor copies the rows, and zstd, most of a dataset write's CPU,
 * runs beside it (even while the rows are still being written, through `stream`). Requests are
 * handled in the order sent. The worker is ref'd only while it owes an answer, and `close` ends it,
 * so it never keeps the process alive and never outlives the staging folder. With `encoders` above
 * one, the thread cuts each file's rows into row groups and has that many threads of its own encode
 * them (parquet-encode-pool.ts), appending them in order: the same bytes, for any count. Ending the
 * Parquet thread ends them.
 */
export class ParquetThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  /** `encoders` 0 is taken as 1: a Parquet thread always encodes, itself at least. */
  constructor(private readonly encoders: number = Math.max(1, parquetEncoders())) {}

  /** Writes `parquetPath` from the rows of `jsonlPath`; resolves with the new file's digest. */
  async convert(jsonlPath: string, parquetPath: string, columns: readonly ColumnSpec[], codec: CodecChoice): Promise<FileDigest> {
    return (await this.request({ type: 'convert', id: this.nextId++, jsonlPath, parquetPath, columns, codec }))!;
  }

  /** Starts `parquetPath` from the rows of `jsonlPath` on disk so far; see `ParquetStream`. */
  stream(jsonlPath: string, parquetPath: string, columns: readonly ColumnSpec[], codec: CodecChoice): ParquetStream {
    const id = this.nextId++;
    const settled = this.request({ type: 'open', id, jsonlPath, parquetPath, columns, codec });
    // Awaited by `end` or `discard`; a failure before then is reported there, not as unhandled.
    settled.catch(() => undefined);
    return {
      grow: (bytes) => this.post({ type: 'grow', id, bytes }),
      end: async (bytes) => {
        this.post({ type: 'end', id, bytes });
        return (await settled)!;
      },
      discard: async () => {
        this.post({ type: 'discard', id });
        await settled;
      },
    };
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.fail(new WriteWorkerError('the Parquet thread was closed'));
    if (worker) await worker.terminate();
  }

  private request(message: ParquetWorkerRequest): Promise<FileDigest | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = (this.worker ??= this.start());
    if (this.pending.size === 0) worker.ref();
    const settled = new Promise<FileDigest | undefined>((resolve, reject) => this.pending.set(message.id, { resolve, reject }));
    worker.postMessage(message);
    return settled;
  }

  /** A message with no answer of its own; dropped once the thread failed (its stream is failed too). */
  private post(message: ParquetWorkerRequest): void {
    if (!this.failure) this.worker?.postMessage(message);
  }

  private start(): Worker {
    const worker = spawnWorker('parquet-worker', { encoders: this.encoders } satisfies ParquetThreadData, import.meta.url);
    worker.unref();
    worker.on('message', (reply: ParquetWorkerReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.type === 'done') waiting?.resolve(reply.digest);
      else this.fail(rebuildError(reply.error), waiting);
    });
    worker.on('error', (error) => this.fail(new WriteWorkerError(`the Parquet thread crashed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => this.fail(new WriteWorkerError(`the Parquet thread exited (${code})`)));
    return worker;
  }

  /** A failed request fails every request after it: the thread is not used again. */
  private fail(error: Error, failed?: Pending): void {
    this.failure ??= error;
    failed?.reject(this.failure);
    for (const waiting of this.pending.values()) waiting.reject(this.failure);
    this.pending.clear();
    this.worker?.unref();
  }
}

/**
 * An error that crossed a thread boundary, as the thread reported it (a bad line, a system error with
 * its code and path). A write thread's own failure that crossed (an encode thread of the Parquet
 * thread that died: `write_worker`) is a `WriteWorkerError` again.
 */
export function rebuildError({ synthforge, ...error }: ThreadError): Error {
  if (error.code === 'write_worker') return new WriteWorkerError(error.message);
  if (synthforge !== undefined) {
    const rebuilt = new SynthforgeError(error.code ?? 'internal', error.message, { exit: synthforge.exit, details: synthforge.details });
    rebuilt.name = synthforge.name;
    return rebuilt;
  }
  return Object.assign(new Error(error.message), error);
}

export function threadErrorOf(error: unknown): ThreadError {
  const { message, code, path, syscall } = error as Partial<ThreadError>;
  return {
    message: message ?? String(error),
    ...(code ? { code } : {}),
    ...(path ? { path } : {}),
    ...(syscall ? { syscall } : {}),
    ...(SynthforgeError.isInstance(error) ? { synthforge: synthforgePart(error) } : {}),
  };
}

/** What crosses for a SynthforgeError: its details as plain data (a message may not carry functions or classes). */
function synthforgePart(error: SynthforgeError): NonNullable<ThreadError['synthforge']> {
  const exit = (Object.keys(EXIT_CODES) as ExitKind[]).find((kind) => EXIT_CODES[kind] === error.exitCode) ?? 'failed';
  let details: ErrorDetails = {};
  try {
    details = JSON.parse(JSON.stringify(error.details)) as ErrorDetails;
  } catch {
    // Details that are not plain data stay behind; the code and message still cross.
  }
  return { name: error.name, exit, details };
}
