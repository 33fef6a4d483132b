/**
 * The response cache seen through the files it points into: which shard holds a key's valid answer,
 * whether that shard's answers file can still be read, and the answer's value. One per pass
 * (planning, emitting, repairing): it remembers the shard rows it looked up and keeps the answers
 * files it read open until `close`.
 */
import { CACHE_KEY_BYTES, type CachedAnswer } from '../store/response-cache.js';
import type { RunStore, ShardRow } from '../store/run-store.js';
import { AnswerReader } from './shard-files.js';

export interface FoundAnswer {
  answer: CachedAnswer;
  /** The shard whose answers file holds it (this run's or an earlier one's). */
  shard: ShardRow;
}

export class CachedAnswers {
  private readonly shards = new Map<number, ShardRow | undefined>();
  private readonly files = new AnswerReader();
  /** Answers looked up ahead by `prefetch`, by hex cache key; null: none cached. */
  private ahead = new Map<string, CachedAnswer | null>();

  /**
   * `wholeFilesOf`: a run whose answers files are read whole, once each (emitting that run's step:
   * nearly every answer of its shards is read, in an order unrelated to the file's), instead of one
   * read call per answer.
   */
  constructor(
    private readonly store: RunStore,
    private readonly options: { wholeFilesOf?: string } = {},
  ) {}

  /** The cached valid answer of a request key and the shard it lies in, or undefined. */
  find(key: string): FoundAnswer | undefined {
    const ahead = this.ahead.get(key.slice(0, CACHE_KEY_BYTES * 2));
    const answer = ahead === undefined ? this.store.responses.get(key) : (ahead ?? undefined);
    if (!answer) return undefined;
    if (!this.shards.has(answer.shardSeq)) this.shards.set(answer.shardSeq, this.store.shardBySeq(answer.shardSeq));
    const shard = this.shards.get(answer.shardSeq);
    return shard ? { answer, shard } : undefined;
  }

  /**
   * Looks the keys a pass is about to `find` up together (one SQLite call per 256), replacing what
   * the previous call looked up, so memory holds one batch.
   */
  prefetch(keys: readonly string[]): void {
    const found = this.store.responses.getMany(keys);
    this.ahead = new Map(keys.map((key) => {
      const cache = key.slice(0, CACHE_KEY_BYTES * 2);
      return [cache, found.get(cache) ?? null];
    }));
  }

  /** Whether a valid answer is cached and its answers file is still there to read it from. */
  has(key: string): boolean {
    const found = this.find(key);
    return found !== undefined && this.files.has(found.shard.inputPath);
  }

  /** The answer's JSON text as collecting wrote it, or undefined when its file is gone or cut short. */
  valueText(found: FoundAnswer): string | undefined {
    return this.textAt(found.shard, found.answer.offset, found.answer.bytes);
  }

  /** The same for an answer located otherwise (run-answers.ts): the shard, and where in its answers file. */
  textAt(shard: ShardRow, offset: number, bytes: number): string | undefined {
    return this.files.read(shard.inputPath, offset, bytes, shard.runId === this.options.wholeFilesOf);
  }

  close(): void {
    this.files.close();
  }
}
