import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ColumnSpec } from './column-kinds.js';
import type { FileDigest } from './file-digest.js';

/** What the main thread asks of parquet-worker.ts, and its answer. */
export interface ParquetWorkerRequest {
  type: 'convert';
  jsonlPath: string;
  parquetPath: string;
  columns: readonly ColumnSpec[];
  codec: 'ZSTD' | 'SNAPPY';
}

export type ParquetWorkerReply = { type: 'done'; digest: FileDigest } | { type: 'error'; error: { message: string; code?: string; path?: string; syscall?: string } };

interface Pending {
  resolve(digest: FileDigest): void;
  reject(error: Error): void;
}

/**
 * One worker thread that writes the Parquet files of one dataset write (parquet-worker.ts), started
 * on first use. It is sent paths, not rows: it reads each JSONL file itself (jsonl-to-parquet.ts), so
 * the main thread neither buffers, joins nor copies the rows, and zstd, most of a dataset write's
 * CPU, runs beside it. Requests are answered in the order sent. The worker is ref'd only while it
 * owes an answer, and `close` ends it, so it never keeps the process alive and never outlives the
 * staging folder.
 */
export class ParquetThread {
  private worker: Worker | undefined;
  private readonly pending: Pending[] = [];
  private failure: Error | undefined;

  /** Writes `parquetPath` from the rows of `jsonlPath`; resolves with the new file's digest. */
  convert(jsonlPath: string, parquetPath: string, columns: readonly ColumnSpec[], codec: 'ZSTD' | 'SNAPPY'): Promise<FileDigest> {
    return this.request({ type: 'convert', jsonlPath, parquetPath, columns, codec });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.fail(new Error('the Parquet thread was closed'));
    if (worker) await worker.terminate();
  }

  private request(message: ParquetWorkerRequest): Promise<FileDigest> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = (this.worker ??= this.start());
    if (this.pending.length === 0) worker.ref();
    const settled = new Promise<FileDigest>((resolve, reject) => this.pending.push({ resolve, reject }));
    worker.postMessage(message);
    return settled;
  }

  private start(): Worker {
    const worker = spawnWorker();
    worker.unref();
    worker.on('message', (reply: ParquetWorkerReply) => {
      const waiting = this.pending.shift();
      if (this.pending.length === 0) worker.unref();
      if (reply.type === 'done') waiting?.resolve(reply.digest);
      else this.fail(rebuildError(reply.error), waiting);
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the Parquet thread exited (${code})`)));
    return worker;
  }

  /** A failed request fails every request after it: the thread is not used again. */
  private fail(error: Error, failed?: Pending): void {
    this.failure ??= error;
    failed?.reject(this.failure);
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
