import type { Worker } from 'node:worker_threads';
import type { ColumnSpec } from './column-kinds.js';
import { encodeGroupLines } from './parquet-group-lines.js';
import type { EncodedGroup } from './parquet-group-writer.js';
import { spawnWorker } from '../spawn-worker.js';
import { WriteWorkerError } from './errors.js';
import { rebuildError, type CodecChoice, type ThreadError } from './parquet-thread.js';
import { parquetCodecOf } from './zstd-compressor.js';

/** A row group's lines, newline-separated (no empty line, no CR), with what to encode them as. */
export interface EncodeRequest {
  id: number;
  lines: Uint8Array;
  columns: readonly ColumnSpec[];
  codec: CodecChoice;
}

/** The encoded group, and the lines' memory handed back for the next group's lines. */
export type EncodeReply = { id: number; group: EncodedGroup; lines: Uint8Array } | { id: number; error: ThreadError };

interface Encoder {
  worker: Worker;
  owed: Map<number, { resolve(group: EncodedGroup): void; reject(error: Error): void }>;
}

/**
 * The threads that encode a Parquet thread's row groups: the Parquet thread itself and `size - 1`
 * threads of its own (parquet-encode-worker.ts), started as they are needed. A group goes to an idle
 * thread, or queued behind one group, else is encoded here: no thread idles while groups wait,
 * and one thread fewer than encoders saves its start and the warming of its code. A group holds a
 * slot from before it is handed out until its file appended it, so the lines and encoded bytes held
 * at once stay bounded (`acquire` waits) whatever order the groups finish in. A failed group
 * rejects its own `encode`; a thread that dies fails the pool (what it owed, and all work after):
 * nothing waits forever.
 */
export class ParquetEncodePool {
  private readonly encoders: Encoder[] = [];
  private free: number;
  private readonly waiting: { resolve(): void; reject(error: Error): void }[] = [];
  private nextId = 0;
  private failure: Error | undefined;
  /** Lines' buffers no group uses: reused, as fresh memory costs the kernel a page fault per page. */
  private readonly spare: Uint8Array[] = [];

  constructor(
    private readonly size: number,
    private readonly spawn: () => Worker = () => spawnWorker('parquet-encode-worker', undefined, import.meta.url),
  ) {
    // One group encoding per thread and one waiting behind it (cut, or encoded and waiting for its turn).
    this.free = 2 * size;
  }

  /** A slot for one more group; `release` it once the group is appended (or dropped). */
  acquire(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next.resolve();
    else this.free++;
  }

  /** A buffer for a group's lines, of at least `bytes` (its contents undefined). */
  buffer(bytes: number): Uint8Array {
    const index = this.spare.findIndex((buffer) => buffer.length >= bytes);
    return index === -1 ? new Uint8Array(bytes) : this.spare.splice(index, 1)[0]!;
  }

  /** A buffer from `buffer` no longer used; at most as many kept as groups can be held at once. */
  giveBack(buffer: Uint8Array): void {
    if (this.spare.length < 2 * this.size) this.spare.push(new Uint8Array(buffer.buffer));
  }

  /** Encodes on a thread with room (`lines`' memory is handed over), else here. */
  async encode(lines: Uint8Array, columns: readonly ColumnSpec[], codec: CodecChoice): Promise<EncodedGroup> {
    if (this.failure) throw this.failure;
    // The threads' answers are read first: a caller that only awaited promises has not seen them.
    const encoder = this.withRoom() ?? (await new Promise(setImmediate), this.withRoom());
    if (this.failure) throw this.failure;
    if (!encoder) {
      try {
        return encodeGroupLines(lines, columns, await parquetCodecOf(codec));
      } finally {
        this.giveBack(lines);
      }
    }
    const id = this.nextId++;
    const request: EncodeRequest = { id, lines, columns, codec };
    const encoded = new Promise<EncodedGroup>((resolve, reject) => encoder.owed.set(id, { resolve, reject }));
    encoder.worker.postMessage(request, [lines.buffer as ArrayBuffer]);
    return encoded;
  }

  async close(): Promise<void> {
    this.fail(new WriteWorkerError('the Parquet encode threads were closed'));
    await Promise.all(this.encoders.map(({ worker }) => worker.terminate()));
  }

  /**
   * An idle thread, a new one, or one with a single group in hand: a group queued behind it keeps
   * it busy while this thread encodes one of its own.
   */
  private withRoom(): Encoder | undefined {
    const idle = this.encoders.find((encoder) => encoder.owed.size === 0);
    if (idle) return idle;
    if (this.encoders.length < this.size - 1) return this.start();
    return this.encoders.find((encoder) => encoder.owed.size === 1);
  }

  private start(): Encoder {
    const encoder: Encoder = { worker: this.spawn(), owed: new Map() };
    encoder.worker.on('message', (reply: EncodeReply) => {
      const owed = encoder.owed.get(reply.id);
      encoder.owed.delete(reply.id);
      if ('group' in reply) {
        this.giveBack(reply.lines);
        owed?.resolve(reply.group);
      }
      else owed?.reject(rebuildError(reply.error));
    });
    encoder.worker.on('error', (error) => this.fail(new WriteWorkerError(`a Parquet encode thread crashed: ${error.message}`, { cause: error })));
    encoder.worker.on('exit', (code) => this.fail(new WriteWorkerError(`a Parquet encode thread exited (${code})`)));
    this.encoders.push(encoder);
    return encoder;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const encoder of this.encoders) {
      for (const owed of encoder.owed.values()) owed.reject(this.failure);
      encoder.owed.clear();
    }
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.failure);
  }
}
