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
 * the shard's `collected` mark and its ledger entry. The rows live in a small fresh table and in
 * sealed tiers, each with a filter of its keys (response-tiers.ts says why and how they grow).
 */
import type Database from 'better-sqlite3';
import { FRESH_TABLE, readTiers, sealFresh, TIER_POLICY, tierTable, TIERS_GENERATION, type TierPolicy } from './response-tiers.js';
import type { KeyFilter } from './key-filter.js';

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

export { TIER_POLICY, type TierPolicy };

/** Keys per `getMany` statement: one SQLite call answers this many lookups. */
const MANY_KEYS = 256;
/** A statement for the few keys a tier's filter lets through: binding 256 slots for three costs more than the lookups. */
const FEW_KEYS = 16;
const COLUMNS = ['request_key', 'shard_seq', 'answer_offset', 'answer_bytes', 'attempt', 'input_tokens', 'output_tokens', 'cached_input_tokens'] as const;
// Rows as arrays, the key as the hex text `getMany` answers by: a Buffer per row (then turned into hex)
// cost 1.7 µs of the 3.3 µs a found key took in SQLite (100K rows, bench/README.md).
const ANSWER_COLUMNS = ['lower(hex(r.request_key))', ...COLUMNS.slice(1).map((column) => `r.${column}`)].join(', ');

/** A row as `getMany` reads it: the position of the key asked for, the key as hex text, the answer. */
type AnswerRow = [number, string, number, number, number, number, number, number, number];

/** The statements of one table, prepared when first needed. */
class TableLookups {
  #many?: Database.Statement;
  #few?: Database.Statement;
  #one?: Database.Statement;
  #any?: Database.Statement;
  #remove?: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    readonly table: string,
  ) {}

  /** Looks up the keys at `positions` of `keys`: each found goes into `found`, its position marked in `done`. */
  findMany(keys: readonly Buffer[], positions: readonly number[], found: Map<string, CachedAnswer>, done: Uint8Array): void {
    for (let start = 0; start < positions.length; start += MANY_KEYS) {
      const chunk = positions.slice(start, start + MANY_KEYS);
      const slots = chunk.length <= FEW_KEYS ? FEW_KEYS : MANY_KEYS;
      // The statement has a fixed number of slots; repeating a key fills the rest harmlessly.
      while (chunk.length < slots) chunk.push(chunk[0]!);
      const statement = slots === FEW_KEYS ? (this.#few ??= this.#prepareMany(FEW_KEYS)) : (this.#many ??= this.#prepareMany(MANY_KEYS));
      for (const row of statement.all(...chunk.flatMap((position) => [position, keys[position]])) as AnswerRow[]) {
        done[row[0]] = 1;
        found.set(row[1], answerOf(row));
      }
    }
  }

  findOne(key: Buffer): CachedAnswer | undefined {
    this.#one ??= this.db.prepare(`SELECT 0, ${ANSWER_COLUMNS} FROM ${this.table} AS r WHERE request_key = ?`).raw(true);
    const row = this.#one.get(key) as AnswerRow | undefined;
    return row && answerOf(row);
  }

  hasAny(): boolean {
    return (this.#any ??= this.db.prepare(`SELECT 1 FROM ${this.table} LIMIT 1`)).get() !== undefined;
  }

  remove(key: Buffer): void {
    (this.#remove ??= this.db.prepare(`DELETE FROM ${this.table} WHERE request_key = ?`)).run(key);
  }

  /**
   * The keys come in as (position, key) rows and the position comes back with each answer, so the
   * caller knows which keys were found without turning each into hex to match them.
   */
  #prepareMany(slots: number): Database.Statement {
    const asked = Array.from({ length: slots }, () => '(?, ?)').join(', ');
    return this.db.prepare(`SELECT k.column1, ${ANSWER_COLUMNS} FROM (VALUES ${asked}) AS k JOIN ${this.table} AS r ON r.request_key = k.column2`).raw(true);
  }
}

interface LoadedTier {
  filter: KeyFilter;
  lookups: TableLookups;
}

export class ResponseCache {
  readonly #db: Database.Database;
  readonly #fresh: TableLookups;
  readonly #put: Database.Statement;
  readonly #freshRows: Database.Statement;
  readonly #generationNow: Database.Statement;
  /** Runs a function in a read transaction, so the tiers it reads are the ones it listed. */
  readonly #read: Database.Transaction<(run: () => unknown) => unknown>;
  /** Newest first, as `#generation` listed them. */
  #tiers: LoadedTier[] = [];
  #generation = -1;
  /** The tiers were read inside the transaction now open (`transactionStarted` clears it). */
  #checkedForWrite = false;
  /**
   * Rows of the fresh table as this connection last counted them, plus what it put since: counting a
   * table reads all of its pages. Only when to seal depends on it, so a count that drifts (a rolled-
   * back put, a replaced row) only moves a seal a little.
   */
  #freshRowCount: number | undefined;

  /** `policy`: when to seal and merge; tests make it small to see several levels. */
  constructor(
    db: Database.Database,
    private readonly policy: TierPolicy = TIER_POLICY,
  ) {
    this.#db = db;
    this.#fresh = new TableLookups(db, FRESH_TABLE);
    // A later valid answer to the same key (a `--no-cache` run, or a re-collect) replaces the earlier one.
    this.#put = db.prepare(`INSERT OR REPLACE INTO ${FRESH_TABLE} (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
    this.#freshRows = db.prepare(`SELECT count(*) FROM ${FRESH_TABLE}`).pluck();
    this.#generationNow = db.prepare(TIERS_GENERATION).pluck();
    this.#read = db.transaction((run: () => unknown) => run());
  }

  /** `RunStore.transaction` calls it as each of its transactions starts: another connection may have sealed or merged since. */
  transactionStarted(): void {
    this.#checkedForWrite = false;
  }

  /** `key`: a hex request key, or a 16-byte cache key. */
  get(key: string | Buffer): CachedAnswer | undefined {
    const bytes = typeof key === 'string' ? cacheKey(key) : key;
    return this.#reading(() => {
      for (const { filter, lookups } of this.#tiers) {
        const found = filter.mayHave(bytes) ? lookups.findOne(bytes) : undefined;
        if (found) return found;
      }
      return this.#fresh.findOne(bytes);
    });
  }

  /**
   * The cached answers of many keys, by hex cache key (32 digits); keys without one are absent.
   * A call into SQLite per 256 keys and table instead of per key, each tier asked only for the keys
   * its filter may hold, so a key found costs one lookup: for a pass that looks up every sample.
   */
  getMany(keys: readonly (string | Buffer)[]): Map<string, CachedAnswer> {
    const wanted = keys.map((key) => (typeof key === 'string' ? cacheKey(key) : key));
    const found = new Map<string, CachedAnswer>();
    const done = new Uint8Array(wanted.length);
    this.#reading(() => {
      // A key is in one table only, and the fresh table has no filter: the tiers whose filters may
      // hold a key are asked first, then the fresh table for what they did not have.
      let pending = wanted.map((_, position) => position);
      for (const { filter, lookups } of this.#tiers) {
        const candidates = pending.filter((position) => filter.mayHave(wanted[position]!));
        if (candidates.length === 0) continue;
        lookups.findMany(wanted, candidates, found, done);
        pending = pending.filter((position) => done[position] === 0);
      }
      this.#fresh.findMany(wanted, pending, found, done);
    });
    return found;
  }

  /** One row, into the fresh table; `mergeIfDue` after a shard's rows, or `putAll`, which does both. */
  put(key: string | Buffer, answer: CachedAnswer): void {
    const bytes = typeof key === 'string' ? cacheKey(key) : key;
    if (!this.#db.inTransaction) return this.#inOwnTransaction(() => this.put(bytes, answer));
    this.#refreshOncePerTransaction();
    // A key lives in one table only: the tier holding an older answer gives it up.
    if (bytes.length === CACHE_KEY_BYTES) {
      for (const { filter, lookups } of this.#tiers) if (filter.mayHave(bytes)) lookups.remove(bytes);
    }
    const { usage } = answer;
    this.#put.run(bytes, answer.shardSeq, answer.offset, answer.bytes, answer.attempt, usage.inputTokens, usage.outputTokens, usage.cachedInputTokens);
    if (this.#freshRowCount !== undefined) this.#freshRowCount++;
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
   * Seals the fresh table once it holds `policy.sealRows` rows, merging tiers when due. Call it inside the
   * `RunStore.transaction` that put a shard's rows, so the seal commits with them or not at all.
   */
  mergeIfDue(): void {
    if (!this.#db.inTransaction) return this.#inOwnTransaction(() => this.mergeIfDue());
    const { sealRows } = this.policy;
    // Counted when unknown, and again before sealing: the running count may be high (see #freshRowCount).
    if (this.#freshRowCount === undefined || this.#freshRowCount >= sealRows) this.#freshRowCount = this.#freshRows.get() as number;
    if (this.#freshRowCount < sealRows) return;
    sealFresh(this.#db, this.policy, this.#freshRowCount);
    this.#freshRowCount = 0;
    this.#refresh();
  }

  /** False for a cache with no answer in it: planning then skips a lookup per request. */
  isEmpty(): boolean {
    return this.#reading(() => !this.#fresh.hasAny() && this.#tiers.length === 0);
  }

  /**
   * Runs `query` with the SQL of a subquery that yields every row of the cache once (the tables'
   * union: a key is in one table only), in a read transaction so the tables it names stay.
   */
  withEveryRow<T>(query: (rowsSql: string) => T): T {
    return this.#reading(() => query(`(${[this.#fresh, ...this.#tiers.map(({ lookups }) => lookups)].map(({ table }) => `SELECT * FROM ${table}`).join(' UNION ALL ')})`));
  }

  /** Runs `read` on the current tiers, in a read transaction unless one is open. */
  #reading<T>(read: () => T): T {
    if (this.#db.inTransaction) {
      this.#refreshOncePerTransaction();
      return read();
    }
    return this.#read.deferred(() => {
      this.#refresh();
      return read();
    }) as T;
  }

  /**
   * Inside a `RunStore.transaction` (or a write of its own): the transaction holds the write lock, so
   * no other connection seals or merges until it ends, and its own seals reload the tiers.
   */
  #refreshOncePerTransaction(): void {
    if (this.#checkedForWrite) return;
    this.#refresh();
    this.#checkedForWrite = true;
  }

  /** A write outside `RunStore.transaction`, in a transaction of its own that reads the tiers afresh. */
  #inOwnTransaction(write: () => void): void {
    this.#read.immediate(() => {
      this.transactionStarted();
      write();
    });
  }

  /** Reloads the tiers and their filters when a seal or merge (by any connection) changed them. */
  #refresh(): void {
    const generation = this.#generationNow.get() as number;
    if (generation === this.#generation) return;
    this.#tiers = readTiers(this.#db).map(({ id, filter }) => ({ filter, lookups: new TableLookups(this.#db, tierTable(id)) }));
    this.#generation = generation;
    // Another connection may have sealed the fresh table: count it again when a seal is next weighed.
    this.#freshRowCount = undefined;
  }
}

function answerOf(row: AnswerRow): CachedAnswer {
  return {
    shardSeq: row[2],
    offset: row[3],
    bytes: row[4],
    attempt: row[5],
    usage: { inputTokens: row[6], outputTokens: row[7], cachedInputTokens: row[8] },
  };
}
