/**
 * Tables of the run store (one SQLite file, WAL, under the state directory), the values its status
 * and kind columns may hold, and the check that a file is a store this version can read.
 *
 * The store keeps state per shard, never per request: a million requests are a few dozen rows.
 * - runs / steps / rounds: what was asked and how far it got (a round's planning is marked done, so
 *   a resumed run does not render its prompts again).
 * - shards: a shard is recorded (status `planned`) BEFORE it is submitted and its batch id right
 *   after, so a crash between the two is detectable and reconciled (providers' findSubmitted). The
 *   requests of a shard are the lines of its file; their request keys are in the `.keys` file next to
 *   it (16 bytes per line), and a request's `custom_id` names its shard and line, so a result joins
 *   its request without a lookup. When the shard is collected, `outcomes` holds one byte per line
 *   (the outcome's index in RESPONSE_OUTCOMES, plus FINAL_OUTCOME_BIT when it will not be retried).
 * - responses_fresh and responses_tier_<id>: the response cache, shared by every run and recipe using
 *   this state directory: one compact row per VALID answer (only a valid answer is final across
 *   runs), keyed by the first 16 bytes of the request key. The answer itself is a line of its shard's
 *   `.answers.jsonl` file; the row says where (shard, byte offset, length). New rows go to
 *   `responses_fresh`; full, it becomes a tier, listed with a filter of its keys in `response_tiers`,
 *   and tiers are merged level by level (response-tiers.ts says why). A key is in one table only.
 * - ledger: tokens and cost per collected shard.
 *
 * Each value list below is both the TypeScript union and the column's CHECK constraint, so the two
 * cannot drift apart.
 */
import type Database from 'better-sqlite3';
import { StoreVersionError } from './errors.js';
import { adoptTable, FRESH_TABLE, levelOf, RESPONSE_TIERS_TABLE, responsesTable, TIER_POLICY } from './response-tiers.js';

export const RUN_STATUSES = ['running', 'completed', 'failed', 'cancelled', 'budget_exceeded', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const STEP_KINDS = ['generate', 'embed', 'dedup', 'filter'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const STEP_STATUSES = ['running', 'done'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

// In their own file so public types can name them without this file's SQLite driver types.
export { RESPONSE_OUTCOMES, type ResponseOutcome } from './response-outcomes.js';

/** Set in a shard's outcome byte when the line's answer is final (valid, or no attempt left or worth it). */
export const FINAL_OUTCOME_BIT = 0x80;

export const ROUND_STATUSES = ['planning', 'planned'] as const;
export type RoundStatus = (typeof ROUND_STATUSES)[number];

/**
 * `retired`: a shard never sent whose request and keys files were both lost; its requests are planned
 * again in a new shard of the same round. Nothing refers to a retired shard any more.
 */
export const SHARD_STATUSES = ['planned', 'submitting', 'submitted', 'ended', 'failed', 'collected', 'retired'] as const;
export type ShardStatus = (typeof SHARD_STATUSES)[number];

export const SHARD_KINDS = ['chat', 'embedding'] as const;
export type ShardKind = (typeof SHARD_KINDS)[number];

/**
 * Version 5: the response cache in a fresh table and sealed tiers with filters. Versions 3 (state per
 * shard, the cache as compact rows pointing into answer files, in one table) and 4 (the same rows in
 * `responses` and `responses_fresh`) are migrated in place: their large table becomes a tier. An
 * older program then refuses the store instead of writing rows the newer layout would not see.
 * Version 2 had a row per request and full answers in the cache; it is refused.
 */
export const STORE_SCHEMA_VERSION = 5;

/** A CHECK clause admitting exactly `values` (NULL passes a CHECK, so nullable columns stay nullable). */
function oneOf(column: string, values: readonly string[]): string {
  return `CHECK (${column} IN (${values.map((value) => `'${value}'`).join(', ')}))`;
}

/**
 * Batches a provider failed because its queue was full, whose shard went back to `planned` (without
 * its batch id) to be sent again: kept so that a lookup after a crash never adopts one of them.
 */
const REQUEUED_BATCHES_TABLE = `CREATE TABLE IF NOT EXISTS requeued_batches (
  batch_id TEXT PRIMARY KEY,
  shard_id TEXT NOT NULL REFERENCES shards (id),
  requeued_at INTEGER NOT NULL
);`;

// responses.shard_seq and ledger.shard_id reference shards: both are written when their shard is
// collected, in the transaction that marks it collected. Nothing deletes runs or shards, so no child
// index is needed for the parent side.
export const STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  recipe_name TEXT NOT NULL,
  recipe_path TEXT NOT NULL,
  recipe_hash TEXT NOT NULL,
  status TEXT NOT NULL ${oneOf('status', RUN_STATUSES)},
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  options TEXT NOT NULL,
  summary TEXT,
  error TEXT,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  pid INTEGER
);

CREATE TABLE IF NOT EXISTS steps (
  run_id TEXT NOT NULL REFERENCES runs (id),
  step_index INTEGER NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL ${oneOf('kind', STEP_KINDS)},
  status TEXT NOT NULL ${oneOf('status', STEP_STATUSES)},
  counts TEXT,
  PRIMARY KEY (run_id, step_index)
);

CREATE TABLE IF NOT EXISTS rounds (
  run_id TEXT NOT NULL REFERENCES runs (id),
  step_index INTEGER NOT NULL,
  round INTEGER NOT NULL,
  status TEXT NOT NULL ${oneOf('status', ROUND_STATUSES)},
  counts TEXT,
  PRIMARY KEY (run_id, step_index, round)
);

CREATE TABLE IF NOT EXISTS shards (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  run_id TEXT NOT NULL REFERENCES runs (id),
  step_index INTEGER NOT NULL,
  round INTEGER NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  kind TEXT NOT NULL DEFAULT 'chat' ${oneOf('kind', SHARD_KINDS)},
  input_path TEXT NOT NULL,
  input_hash TEXT NOT NULL,
  request_count INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  estimate_usd REAL,
  input_tokens INTEGER,
  status TEXT NOT NULL ${oneOf('status', SHARD_STATUSES)},
  batch_id TEXT,
  handle TEXT,
  raw_status TEXT,
  counts TEXT,
  error TEXT,
  outcomes BLOB,
  created_at INTEGER NOT NULL,
  submitted_at INTEGER,
  ended_at INTEGER,
  collected_at INTEGER
);
CREATE INDEX IF NOT EXISTS shards_by_run ON shards (run_id, step_index, status);

${REQUEUED_BATCHES_TABLE}

${responsesTable(FRESH_TABLE)}

${RESPONSE_TIERS_TABLE}

CREATE TABLE IF NOT EXISTS ledger (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL REFERENCES runs (id),
  step_index INTEGER NOT NULL,
  shard_id TEXT NOT NULL REFERENCES shards (id),
  batch_id TEXT,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  requests INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cached_input_tokens INTEGER NOT NULL,
  cost_usd REAL,
  sync_cost_usd REAL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_by_run ON ledger (run_id, step_index);
`;

/**
 * Creates the tables in a new (empty) store file, or checks that an existing one has this schema
 * version. Throws StoreVersionError for another version or for a database that is not a store.
 */
export function prepareStoreSchema(db: Database.Database, file: string): void {
  const version = storeVersion(db);
  if (version === 3) migrateFromVersion3(db);
  if (version === 3 || version === 4) migrateFromVersion4(db);
  if (version === 3 || version === 4 || version === STORE_SCHEMA_VERSION) return addQueueColumns(db);
  // IMMEDIATE: two processes opening the same new file must not both create it; the second one
  // waits (busy_timeout) and then finds the version the first wrote.
  db.transaction(() => {
    const found = storeVersion(db);
    if (found === STORE_SCHEMA_VERSION) return;
    if (found !== 'empty') throw new StoreVersionError(file, found, STORE_SCHEMA_VERSION);
    db.exec(STORE_SCHEMA);
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(STORE_SCHEMA_VERSION));
  }).immediate();
}

/** Version 3 → 4: the fresh table of the response cache, and the version, in one transaction. */
function migrateFromVersion3(db: Database.Database): void {
  db.transaction(() => {
    if (storeVersion(db) !== 3) return;
    db.exec(responsesTable(FRESH_TABLE));
    db.prepare(`UPDATE meta SET value = '4' WHERE key = 'schema_version'`).run();
  }).immediate();
}

/**
 * Version 4 → 5, in one transaction: `responses` gives up the keys `responses_fresh` has newer rows for
 * (a key lives in one table now) and becomes a tier, at the level its size puts it.
 */
function migrateFromVersion4(db: Database.Database): void {
  db.transaction(() => {
    if (storeVersion(db) !== 4) return;
    db.exec(RESPONSE_TIERS_TABLE);
    db.exec(`DELETE FROM responses WHERE request_key IN (SELECT request_key FROM ${FRESH_TABLE})`);
    const rows = db.prepare('SELECT count(*) FROM responses').pluck().get() as number;
    if (rows > 0) adoptTable(db, 'responses', levelOf(rows, TIER_POLICY), rows);
    else db.exec('DROP TABLE responses');
    db.prepare(`UPDATE meta SET value = ? WHERE key = 'schema_version'`).run(String(STORE_SCHEMA_VERSION));
  }).immediate();
}

/**
 * Version 3 stores written before queue-aware submission lack `shards.input_tokens` and the
 * `requeued_batches` table. Both are additions an older reader ignores, so they are added in place
 * instead of changing the version (which would refuse every existing state directory).
 */
function addQueueColumns(db: Database.Database): void {
  const columns = (db.pragma('table_info(shards)') as { name: string }[]).map((column) => column.name);
  const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'requeued_batches'`).get() !== undefined;
  if (columns.includes('input_tokens') && hasTable) return;
  db.transaction(() => {
    const now = (db.pragma('table_info(shards)') as { name: string }[]).map((column) => column.name);
    if (!now.includes('input_tokens')) db.exec('ALTER TABLE shards ADD COLUMN input_tokens INTEGER');
    db.exec(REQUEUED_BATCHES_TABLE);
  }).immediate();
}

/** The version a store file declares; `empty` for a file with no tables, undefined when it is not a store. */
function storeVersion(db: Database.Database): number | 'empty' | undefined {
  const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((row) => row.name);
  if (tables.length === 0) return 'empty';
  const columns = (db.pragma('table_info(meta)') as { name: string }[]).map((column) => column.name);
  if (!columns.includes('key') || !columns.includes('value')) return undefined;
  const row = db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: unknown } | undefined;
  const version = row ? Number(row.value) : Number.NaN;
  return Number.isInteger(version) ? version : undefined;
}
