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
 *
 * Two tables, because keys are random: a shard's few thousand rows put straight into one B-tree of a
 * million rows land on as many different pages, and each page a commit touches is written again
 * whole, so a put cost 3 µs at 100K rows and 14 µs at 1M (the store grew, the work per request with
 * it). New rows go to `responses_fresh`, which stays small; once it holds a quarter of
 * `responses` (and at least MIN_FRESH_ROWS) one statement moves its rows over in key order, each
 * page of the large table written once for many rows. A lookup reads the fresh table first: its
 * row for a key is the newer one.
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

/** Rows the fresh table holds before a merge, at the least: below it a merge would rewrite a large table for few rows. */
export const MIN_FRESH_ROWS = 131_072;
/** The fresh table is merged once it holds this share of the large one: each merge then costs the same per row. */
const FRESH_SHARE = 1 / 4;
const TABLES = ['responses_fresh', 'responses'] as const;

export class ResponseCache {
  /** Lookups, the fresh table's first. */
  readonly #get: Database.Statement[];
  /** The large table's first, so the fresh table's newer rows replace its rows. */
  readonly #getMany: Database.Statement[];
  readonly #any: Database.Statement[];
  readonly #put: Database.Statement;
  readonly #freshRows: Database.Statement;
  readonly #mainRows: Database.Statement;
  readonly #merge: Database.Statement;
  readonly #clearFresh: Database.Statement;
  /**
   * Rows of each table as this connection last counted them, plus what it put since: counting a table
   * reads all of its pages. Only when to merge depends on them, so a count that drifts (a rolled-back
   * put, a replaced row, another process's writes) only moves a merge a little.
   */
  #freshRowCount: number | undefined;
  #mainRowCount: number | undefined;

  constructor(db: Database.Database) {
    this.#get = TABLES.map((table) => db.prepare(`SELECT * FROM ${table} WHERE request_key = ?`));
    // Rows as arrays (columns in MANY_COLUMNS order): a third less work than an object per row. The key
    // comes back as hex text, the form `getMany` answers by: a Buffer per row (then turned into hex)
    // cost 1.7 µs of the 3.3 µs a found key took in SQLite (100K rows, bench/README.md).
    const manyColumns = ['lower(hex(request_key))', ...MANY_COLUMNS.slice(1)];
    this.#getMany = [...TABLES].reverse().map((table) =>
      db.prepare(`SELECT ${manyColumns.join(', ')} FROM ${table} WHERE request_key IN (${Array.from({ length: MANY_KEYS }, () => '?').join(',')})`).raw(true),
    );
    this.#any = TABLES.map((table) => db.prepare(`SELECT 1 FROM ${table} LIMIT 1`));
    // A later valid answer to the same key (a `--no-cache` run, or a re-collect) replaces the earlier one.
    this.#put = db.prepare(
      `INSERT OR REPLACE INTO responses_fresh (request_key, shard_seq, answer_offset, answer_bytes, attempt, input_tokens, output_tokens, cached_input_tokens)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#freshRows = db.prepare('SELECT count(*) FROM responses_fresh').pluck();
    this.#mainRows = db.prepare('SELECT count(*) FROM responses').pluck();
    // A WITHOUT ROWID table is read in key order, so the large table's pages are visited in order.
    this.#merge = db.prepare(`INSERT OR REPLACE INTO responses SELECT ${MANY_COLUMNS.join(', ')} FROM responses_fresh`);
    this.#clearFresh = db.prepare('DELETE FROM responses_fresh');
  }

  /** `key`: a hex request key, or a 16-byte cache key. */
  get(key: string | Buffer): CachedAnswer | undefined {
    const cacheKeyBytes = typeof key === 'string' ? cacheKey(key) : key;
    for (const statement of this.#get) {
      const row = statement.get(cacheKeyBytes) as Record<string, number> | undefined;
      if (row) return answerOf(row);
    }
    return undefined;
  }

  /**
   * The cached answers of many keys, by hex cache key (32 digits); keys without one are absent.
   * A call into SQLite per 256 keys and table instead of per key: for a pass that looks up every sample.
   */
  getMany(keys: readonly (string | Buffer)[]): Map<string, CachedAnswer> {
    const found = new Map<string, CachedAnswer>();
    for (let start = 0; start < keys.length; start += MANY_KEYS) {
      const chunk = keys.slice(start, start + MANY_KEYS).map((key) => (typeof key === 'string' ? cacheKey(key) : key));
      // The statement has a fixed number of slots; repeating a key fills the rest harmlessly.
      while (chunk.length < MANY_KEYS) chunk.push(chunk[0]!);
      for (const statement of this.#getMany) {
        for (const row of statement.all(...chunk) as [string, number, number, number, number, number, number, number][]) {
          found.set(row[0], {
            shardSeq: row[1],
            offset: row[2],
            bytes: row[3],
            attempt: row[4],
            usage: { inputTokens: row[5], outputTokens: row[6], cachedInputTokens: row[7] },
          });
        }
      }
    }
    return found;
  }

  /** One row, into the fresh table; `mergeIfDue` after a shard's rows, or `putAll`, which does both. */
  put(key: string | Buffer, answer: CachedAnswer): void {
    const { usage } = answer;
    if (this.#freshRowCount !== undefined) this.#freshRowCount++;
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

  /**
   * A shard's rows, then `mergeIfDue`. Call it inside `RunStore.transaction`, so the rows and the
   * merge commit with the shard.
   */
  putAll(answers: Iterable<[string | Buffer, CachedAnswer]>): void {
    for (const [key, answer] of answers) this.put(key, answer);
    this.mergeIfDue();
  }

  /**
   * Moves the fresh table's rows into the large one once it has grown to its share. Call it inside the
   * `RunStore.transaction` that put a shard's rows, so the merge commits with them or not at all.
   */
  mergeIfDue(): void {
    const fresh = (this.#freshRowCount ??= this.#freshRows.get() as number);
    if (fresh < MIN_FRESH_ROWS) return;
    this.#mainRowCount ??= this.#mainRows.get() as number;
    if (fresh < this.#mainRowCount * FRESH_SHARE) return;
    this.#merge.run();
    this.#clearFresh.run();
    this.#freshRowCount = 0;
    // Not counted again (a scan of the large table): a replaced row makes it a little high, which only delays a merge.
    this.#mainRowCount += fresh;
  }

  /** False for a cache with no answer in it: planning then skips a lookup per request. */
  isEmpty(): boolean {
    return this.#any.every((statement) => statement.get() === undefined);
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
