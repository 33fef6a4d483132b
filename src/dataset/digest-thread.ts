/**
 * The sha256 of data files, computed on a thread of its own while the writing thread writes them.
 * Hashing a version's JSONL and lineage bytes was about a tenth of the writing thread's work in pass 1
 * where write threads map the rows (bench/README.md, "omain"); where they run, this thread runs too.
 *
 * A file's chunks are SharedArrayBuffer views (sharedChunk): the thread reads them where they are, no
 * copy, and says when it is done with each, so the writer may reuse the chunk. Chunks of one file are
 * hashed in the order given (one thread, messages in order), so the digest is the file's.
 */
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../spawn-worker.js';

/** What the writing thread asks of digest-worker.ts. */
export type DigestRequest = { type: 'update'; file: number; chunk: number; bytes: Uint8Array } | { type: 'finish'; file: number };

/** A chunk hashed (the writer may reuse it), or a file's digest once finished. */
export type DigestReply = { type: 'hashed'; file: number; chunk: number } | { type: 'digest'; file: number; sha256: string };

/** A buffer over shared memory, which the digest thread reads in place. */
export function sharedChunk(bytes: number): Buffer<ArrayBuffer> {
  return Buffer.from(new SharedArrayBuffer(bytes)) as unknown as Buffer<ArrayBuffer>;
}

interface OpenFile {
  hashed: Map<number, () => void>;
  digest?: { resolve(sha256: string): void; reject(error: Error): void };
}

export class DigestThread {
  private readonly worker: Worker;
  private readonly files = new Map<number, OpenFile>();
  private nextFile = 0;
  private failure: Error | undefined;
  private closed = false;

  constructor() {
    this.worker = spawnWorker('digest-worker', undefined, import.meta.url);
    this.worker.on('message', (reply: DigestReply) => this.settle(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the digest thread exited (${code})`)));
  }

  /** One file's digest, fed in order. */
  open(): FileDigester {
    const file = this.nextFile++;
    const open: OpenFile = { hashed: new Map() };
    this.files.set(file, open);
    let chunks = 0;
    return {
      update: (bytes, done) => {
        if (this.failure) throw this.failure;
        const chunk = chunks++;
        open.hashed.set(chunk, done);
        this.worker.postMessage({ type: 'update', file, chunk, bytes } satisfies DigestRequest);
      },
      finish: () => {
        if (this.failure) return Promise.reject(this.failure);
        const digest = new Promise<string>((resolve, reject) => (open.digest = { resolve, reject }));
        this.worker.postMessage({ type: 'finish', file } satisfies DigestRequest);
        return digest;
      },
    };
  }

  /** Ends the thread; a digest still owed fails. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new Error('the digest thread was closed with digests owed'));
    await this.worker.terminate();
  }

  private settle(reply: DigestReply): void {
    const open = this.files.get(reply.file);
    if (!open) return;
    if (reply.type === 'hashed') {
      open.hashed.get(reply.chunk)?.();
      open.hashed.delete(reply.chunk);
      return;
    }
    this.files.delete(reply.file);
    open.digest?.resolve(reply.sha256);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const open of this.files.values()) open.digest?.reject(this.failure);
    this.files.clear();
  }
}

/** `update`: `bytes` (a view of a sharedChunk) is the file's next part; `done` is called once it is hashed. */
export interface FileDigester {
  update(bytes: Uint8Array, done: () => void): void;
  finish(): Promise<string>;
}
