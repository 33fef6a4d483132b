/**
 * The sha256 of data files, computed on a thread of its own while the writing thread writes them.
 * Hashing a version's JSONL and lineage bytes was about a tenth of the writing thread's work in pass 1
 * where write threads map the rows (bench/README.md, "omain"); where they run, this thread runs too.
 *
 * Each chunk is posted as a copy (postMessage's clone, one memcpy): the writer keeps and reuses its
 * own chunks, which stay ordinary memory (copying rows into shared memory is several times slower).
 * Chunks of one file are hashed in the order given (one thread, messages in order), so the digest is
 * the file's.
 */
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../spawn-worker.js';
import { WriteWorkerError } from './errors.js';

/** What the writing thread asks of digest-worker.ts. */
export type DigestRequest = { type: 'update'; file: number; bytes: Uint8Array } | { type: 'finish'; file: number };

/** A file's digest, once finished. */
export interface DigestReply {
  file: number;
  sha256: string;
}

/** One file's digest, fed in order. */
export interface FileDigester {
  /** The file's next bytes (copied: the caller may reuse them at once). */
  update(bytes: Uint8Array): void;
  finish(): Promise<string>;
}

export class DigestThread {
  private readonly worker: Worker;
  private readonly owed = new Map<number, { resolve(sha256: string): void; reject(error: Error): void }>();
  private nextFile = 0;
  private failure: Error | undefined;
  private closed = false;

  constructor() {
    this.worker = spawnWorker('digest-worker', undefined, import.meta.url);
    this.worker.on('message', (reply: DigestReply) => {
      this.owed.get(reply.file)?.resolve(reply.sha256);
      this.owed.delete(reply.file);
    });
    this.worker.on('error', (error) => this.fail(new WriteWorkerError(`the digest thread crashed: ${error.message}`, { cause: error })));
    this.worker.on('exit', (code) => this.fail(new WriteWorkerError(`the digest thread exited (${code})`)));
  }

  open(): FileDigester {
    const file = this.nextFile++;
    return {
      update: (bytes) => {
        if (this.failure) throw this.failure;
        this.worker.postMessage({ type: 'update', file, bytes } satisfies DigestRequest);
      },
      finish: () => {
        if (this.failure) return Promise.reject(this.failure);
        const digest = new Promise<string>((resolve, reject) => this.owed.set(file, { resolve, reject }));
        this.worker.postMessage({ type: 'finish', file } satisfies DigestRequest);
        return digest;
      },
    };
  }

  /** Ends the thread; a digest still owed fails. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new WriteWorkerError('the digest thread was closed with digests owed'));
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const owed of this.owed.values()) owed.reject(this.failure);
    this.owed.clear();
  }
}
