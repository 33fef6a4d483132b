/**
 * The response cache's tables and how they grow. New rows go to `responses_fresh`; once it holds
 * 65,536 rows it is sealed: renamed to a tier table (`responses_tier_<id>`, level 0) and replaced by an
 * empty one. Once a level holds 16 tiers, they are merged, in key order, into one tier of the next
 * level (TIER_POLICY). Each tier is listed in `response_tiers` with a Bloom filter of its keys
 * (key-filter.ts), so a lookup reads the fresh table and only the tiers that may hold the key.
 *
 * Why not one table: keys are random, so a shard's few thousand rows put into a B-tree of a million
 * rows land on as many pages, each written again whole at commit; the cost per row grew with the
 * table (3 µs at 100K rows, 10–14 µs at 1M). Here a commit only touches the fresh table, which never
 * outgrows a seal and a shard, and a merge writes its tier sequentially; a row is copied once per
 * level it climbs (never below 16 seals, ~1M rows; once up to 16M; twice up to 268M).
 *
 * A key is in at most one table: a put deletes the key from any tier whose filter may hold it before
 * it writes the fresh row. So a lookup stops at the first table that has the key, a merge never meets
 * a key twice, and counting rows is a plain union of the tables.
 *
 * Everything here runs inside the caller's write transaction: a seal or merge commits with the
 * shard whose rows made it due, or not at all.
 */
import type Database from 'better-sqlite3';
import { KeyFilter } from './key-filter.js';

export const FRESH_TABLE = 'responses_fresh';

/** When the fresh table is sealed and tiers merged. */
export interface TierPolicy {
  /** Rows of the fresh table that seal it. */
  sealRows: number;
  /** Tiers of one level merged into one of the next. */
  tiersPerMerge: number;
}

/**
 * 65,536 rows seal the fresh table: small enough that a commit touches few pages, large enough that
 * tiers stay few. 16 tiers per merge: a row is copied once per 16× growth of the cache; a lookup then
 * checks up to 15 filters per level, which costs ~30 ns each.
 */
export const TIER_POLICY: TierPolicy = { sealRows: 65_536, tiersPerMerge: 16 };

/** A sealed table of the cache as `response_tiers` lists it. */
interface TierEntry {
  id: number;
  level: number;
  /** Rows when it was made; a later put of one of its keys moves that row out (never counted down). */
  rows: number;
}

/** A tier as a lookup needs it. */
export interface Tier {
  id: number;
  filter: KeyFilter;
}

/** The response cache's row: one per valid answer, keyed by the first 16 bytes of its request key. */
export function responsesTable(name: string, options: { checked: boolean } = { checked: true }): string {
  // A merged tier takes rows already checked on their way into the fresh table: no check per row again.
  const keyCheck = options.checked ? ' CHECK (length(request_key) = 16)' : '';
  const shardReference = options.checked ? ' REFERENCES shards (seq)' : '';
  return `CREATE TABLE IF NOT EXISTS ${name} (
  request_key BLOB PRIMARY KEY${keyCheck},
  shard_seq INTEGER NOT NULL${shardReference},
  answer_offset INTEGER NOT NULL,
  answer_bytes INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cached_input_tokens INTEGER NOT NULL
) WITHOUT ROWID;`;
}

/** AUTOINCREMENT: an id is never reused, so the largest one names the set of tiers (`tiersGeneration`). */
export const RESPONSE_TIERS_TABLE = `CREATE TABLE IF NOT EXISTS response_tiers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  level INTEGER NOT NULL,
  rows INTEGER NOT NULL,
  filter BLOB NOT NULL
);`;

export function tierTable(id: number): string {
  return `responses_tier_${id}`;
}

/** A number that changes whenever a tier is made (every seal and merge makes one); 0 while there is none. */
export const TIERS_GENERATION = 'SELECT coalesce(max(id), 0) FROM response_tiers';

/** Every tier with its filter, newest first. */
export function readTiers(db: Database.Database): Tier[] {
  const rows = db.prepare('SELECT id, filter FROM response_tiers ORDER BY id DESC').all() as { id: number; filter: Buffer }[];
  return rows.map((row) => ({ id: row.id, filter: KeyFilter.fromBytes(row.filter) }));
}

/** Seals the fresh table (`rows` rows, as just counted) into a level 0 tier, and merges every level that is then due. */
export function sealFresh(db: Database.Database, policy: TierPolicy, rows: number): void {
  adoptTable(db, FRESH_TABLE, 0, rows);
  db.exec(responsesTable(FRESH_TABLE));
  while (mergeDueLevel(db, policy.tiersPerMerge));
}

/** Makes `table` (rows with no key in any other table of the cache) a tier of `level`, under its tier name. */
export function adoptTable(db: Database.Database, table: string, level: number, expectedRows: number): void {
  const { filter, rows } = filterOfTable(db, table, expectedRows);
  const id = Number(db.prepare('INSERT INTO response_tiers (level, rows, filter) VALUES (?, ?, ?)').run(level, rows, filter.bytes()).lastInsertRowid);
  db.exec(`ALTER TABLE ${table} RENAME TO ${tierTable(id)}`);
}

/** The level a table of `rows` rows belongs to when it did not come from seals and merges (a migrated one). */
export function levelOf(rows: number, policy: TierPolicy): number {
  let level = 0;
  for (let size = policy.sealRows * policy.tiersPerMerge; rows >= size; size *= policy.tiersPerMerge) level++;
  return level;
}

/** Merges the oldest `tiersPerMerge` tiers of the lowest level that has as many; false when none has. */
function mergeDueLevel(db: Database.Database, tiersPerMerge: number): boolean {
  const entries = db.prepare('SELECT id, level, rows FROM response_tiers ORDER BY id').all() as TierEntry[];
  const byLevel = new Map<number, TierEntry[]>();
  for (const entry of entries) byLevel.set(entry.level, (byLevel.get(entry.level) ?? []).concat(entry));
  const level = [...byLevel.keys()].sort((a, b) => a - b).find((candidate) => byLevel.get(candidate)!.length >= tiersPerMerge);
  if (level === undefined) return false;
  mergeTiers(db, byLevel.get(level)!.slice(0, tiersPerMerge), level + 1);
  return true;
}

function mergeTiers(db: Database.Database, group: TierEntry[], level: number): void {
  const merged = 'responses_merging';
  db.exec(`DROP TABLE IF EXISTS ${merged}; ${responsesTable(merged, { checked: false })}`);
  // Each tier is read in key order (a WITHOUT ROWID table is its key's B-tree) and SQLite merges the
  // arms without sorting, so the new table is written front to back, each page once.
  const arms = group.map((entry) => `SELECT * FROM ${tierTable(entry.id)}`).join(' UNION ALL ');
  db.prepare(`INSERT INTO ${merged} ${arms} ORDER BY request_key`).run();
  for (const entry of group) db.exec(`DROP TABLE ${tierTable(entry.id)}`);
  db.prepare(`DELETE FROM response_tiers WHERE id IN (${group.map(() => '?').join(', ')})`).run(...group.map((entry) => entry.id));
  adoptTable(db, merged, level, group.reduce((sum, entry) => sum + entry.rows, 0));
}

/** Keys read per statement while a filter is built: bounds the text SQLite hands over at once. */
const FILTER_CHUNK = 65_536;

/**
 * The filter of every key in `table`, sized for `expectedRows` keys, and the keys counted. The keys
 * come back as hex text, many per row: SQLite hands over a blob per row at ~2 µs each, this at ~0.2.
 */
function filterOfTable(db: Database.Database, table: string, expectedRows: number): { filter: KeyFilter; rows: number } {
  const filter = KeyFilter.sized(expectedRows);
  let rows = 0;
  const chunk = db.prepare(
    `SELECT group_concat(hex(substr(request_key, 1, 8)), ''), count(*), max(request_key)
     FROM (SELECT request_key FROM ${table} WHERE request_key > ? ORDER BY request_key LIMIT ${FILTER_CHUNK})`,
  ).raw(true);
  let after: Buffer = Buffer.alloc(0);
  for (;;) {
    const [hex, count, last] = chunk.get(after) as [string | null, number, Buffer | null];
    rows += count;
    if (hex) {
      const starts = Buffer.from(hex, 'hex');
      for (let at = 0; at < starts.length; at += 8) filter.add(starts, at);
    }
    if (count < FILTER_CHUNK || !last) return { filter, rows };
    after = last;
  }
}
