import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ColumnSpec } from './column-kinds.js';

/** What the main thread asks of parquet-worker.ts, and its answer. */
export type ParquetWorkerRequest =
  | { type: 'open'; file: number; path: string; columns: readonly ColumnSpec[]; codec: 'ZSTD' | 'SNAPPY' }
  | { type: 'group'; file: number; json: string }
  | { type: 'finish'; file: number };

export type ParquetWorkerReply = { type: 'done' } | { type: 'error'; error: { message: string; code?: string; path?: string; syscall?: string } };

/** A file a `ParquetThread` writes: groups go out in order, each promise settles when it is on disk. */
export interface RemoteParquetFile {
  writeGroup(rows: readonly (object | string)[]): Promise<void>;
  finish(): Promise<void>;
}

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * One worker thread that encodes and compresses the row groups of the Parquet files of one dataset
 * write (parquet-worker.ts), started on first use. A group travels as one string, its rows' JSON
 * joined by newlines (JSON text holds no raw newline): a single copy, no structured clone per row.
 * Requests are answered in the order sent. The worker is ref'd only while it owes an answer, and
 * `close` ends it, so it never keeps the process alive and never outlives the staging folder.
 */
export class ParquetThread {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending: Pending[] = [];
  private failure: Error | undefined;

  open(path: string, columns: readonly ColumnSpec[], codec: 'ZSTD' | 'SNAPPY'): RemoteParquetFile {
    const file = this.nextId++;
    void this.request({ type: 'open', file, path, columns, codec }).catch(() => undefined);
    return {
      writeGroup: (rows) => this.request({ type: 'group', file, json: rows.map((row) => (typeof row === 'string' ? row : JSON.stringify(row))).join('\n') }),
      finish: () => this.request({ type: 'finish', file }),
    };
  }

  /** Whether a file has started the worker (and it has not failed). */
  get running(): boolean {
    return this.worker !== undefined && this.failure === undefined;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.fail(new Error('the Parquet thread was closed'));
    if (worker) await worker.terminate();
  }

  private request(message: ParquetWorkerRequest): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = (this.worker ??= this.start());
    if (this.pending.length === 0) worker.ref();
    const settled = new Promise<void>((resolve, reject) => this.pending.push({ resolve, reject }));
    worker.postMessage(message);
    return settled;
  }

  private start(): Worker {
    const worker = spawnWorker();
    worker.unref();
    worker.on('message', (reply: ParquetWorkerReply) => {
      const waiting = this.pending.shift();
      if (this.pending.length === 0) worker.unref();
      if (reply.type === 'done') waiting?.resolve();
      else this.fail(rebuildError(reply.error));
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the Parquet thread exited (${code})`)));
    return worker;
  }

  /** A failed request fails every request after it: the file it left half-written is abandoned. */
  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.splice(0)) waiting.reject(this.failure);
    this.worker?.unref();
  }
}

/** A system error keeps its code and path across the thread boundary (a full disk is reported as such). */
function rebuildError(error: { message: string; code?: string; path?: string; syscall?: string }): Error {
  return Object.assign(new Error(error.message), error);
}

/**
 * Running from TypeScript sources (tests, `node --import tsx`), the worker first registers tsx's
 * loader: Node 20 does not pass module hooks on to worker threads. From dist/ it loads the .js.
 */
function spawnWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./parquet-worker.js', here));
  const entry = new URL('./parquet-worker.ts', here).href;
  const require = createRequire(here);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = require(manifestPath) as { exports: Record<string, { import?: { default?: string } }> };
  const tsxApi = pathToFileURL(join(dirname(manifestPath), manifest.exports['./esm/api']?.import?.default ?? './dist/esm/api/index.mjs')).href;
  return new Worker(`import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`, { eval: true });
}
