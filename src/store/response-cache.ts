/**
 * The response cache: where the valid answer to each request key is, shared by every run and recipe
 * using the same state directory. A key is a hash of everything that determines the provider's
 * answer, so an answer stored under it can be served to any later run instead of calling the
 * provider again. Only valid answers are stored: a failure (an error, an expired batch, an answer
 * that broke the schema) is never final across runs, so a later run asks again.
 *
 * A row is small on purpose (about 60 bytes on disk): the first 16 bytes of the key, and where the
 * answer lies, a line of its shard's answers file (shard, byte offset, length), with its attempt and
 * token usage. The answer text stays in the file, written once; the store only points at it.
 *
 * It shares the run store's connection, so puts inside `RunStore.transaction` commit together with
 * the shard's `collected` mark and its ledger entry.
 */
import type Database from 'better-sqlite3';

export interface CachedAnswer {
  /** `seq` of the shard whose answers file holds the answer. */
  shardSeq: number;
  offset: number;
  bytes: number;
  /** 1 when the request was answered validly the first time it was sent. */
  attempt: number;
  usage: { inputTokens: number; outputTokens: number; cachedInputTokens: number };
}

/** Bytes of a request key kept in the cache: 128 bits, so a collision among 10^12 keys is still ~10^-15 likely. */
export const CACHE_KEY_BYTES = 16;

/** The cache's key for a request key (hex sha256): its first 16 bytes. */
export function cacheKey(requestKey: string): Buffer {
  return Buffer.from(requestKey.slice(0, CACHE_KEY_BYTES * 2), 'hex');
}

/** Keys per `getMany` statement: one SQLite call answers this many lookups. */
const MANY_KEYS = 256;
const MANY_COLUMNS = ['request_key', 'shard_seq', 'answer_offset', 'answer_bytes', 'attempt', 'input_tokens', 'output_tokens', 'cached_input_tokens'] as const;

export class ResponseCache {
  readonly #get: Database.Statement;
  readonly #getMany: Database.Statement;
  readonly #put: Database.Statement;
  readonly #any: Database.Statement;

  constructor(db: Database.Database) {
    this.#get = db.prepare('SELECT * FROM responses WHERE request_key = ?');
    // Rows as arrays (columns in MANY_COLUMNS order): a third less work than an object per row.
    this.#getMany = db
      .prepare(`SELECT ${MANY_COLUMNS.join(', ')} FROM responses WHERE request_key IN (${Array.from({ length: MANY_KEYS }, () => '?').join(',')})`)
      .raw(true);
    // A later valid answer to the same key (a `--no-cache` run, or a re-collect) replaces the earlier one.
    this.#put = db.prepare(
      `INSERT OR REPLACE INTO responses (request_key, shard_seq, answer_offset, answer_bytes, attempt, input_tokens, output_tokens, cached_input_tokens)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#any = db.prepare('SELECT 1 FROM responses LIMIT 1');
  }

  /** `key`: a hex request key, or a 16-byte cache key. */
  get(key: string | Buffer): CachedAnswer | undefined {
    const row = this.#get.get(typeof key === 'string' ? cacheKey(key) : key) as Record<string, number> | undefined;
    return row ? answerOf(row) : undefined;
  }

  /**
   * The cached answers of many keys, by hex cache key (32 digits); keys without one are absent.
   * A call into SQLite per 256 keys instead of per key: for a pass that looks up every sample.
   */
  getMany(keys: readonly (string | Buffer)[]): Map<string, CachedAnswer> {
    const found = new Map<string, CachedAnswer>();
    for (let start = 0; start < keys.length; start += MANY_KEYS) {
      const chunk = keys.slice(start, start + MANY_KEYS).map((key) => (typeof key === 'string' ? cacheKey(key) : key));
      // The statement has a fixed number of slots; repeating a key fills the rest harmlessly.
      while (chunk.length < MANY_KEYS) chunk.push(chunk[0]!);
      for (const row of this.#getMany.all(...chunk) as [Buffer, number, number, number, number, number, number, number][]) {
        found.set(row[0].toString('hex'), {
          shardSeq: row[1],
          offset: row[2],
          bytes: row[3],
          attempt: row[4],
          usage: { inputTokens: row[5], outputTokens: row[6], cachedInputTokens: row[7] },
        });
      }
    }
    return found;
  }

  put(key: string | Buffer, answer: CachedAnswer): void {
    const { usage } = answer;
    this.#put.run(
      typeof key === 'string' ? cacheKey(key) : key,
      answer.shardSeq,
      answer.offset,
      answer.bytes,
      answer.attempt,
      usage.inputTokens,
      usage.outputTokens,
      usage.cachedInputTokens,
    );
  }

  /** False for a cache with no answer in it: planning then skips a lookup per request. */
  isEmpty(): boolean {
    return this.#any.get() === undefined;
  }
}

function answerOf(row: Record<string, number>): CachedAnswer {
  return {
    shardSeq: row.shard_seq!,
    offset: row.answer_offset!,
    bytes: row.answer_bytes!,
    attempt: row.attempt!,
    usage: { inputTokens: row.input_tokens!, outputTokens: row.output_tokens!, cachedInputTokens: row.cached_input_tokens! },
  };
}
