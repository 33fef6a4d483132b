/**
 * Tables of the run store (one SQLite file, WAL, under the state directory), the values its status
 * and kind columns may hold, and the check that a file is a store this version can read.
 *
 * - runs / steps: what was asked and how far it got.
 * - requests: one row per unique request of a step in a run. The request key is a sha256 over
 *   everything that determines the provider's answer (provider, model, endpoint, messages, params,
 *   schema, structured-output mode, sample index), so equal keys are the same call. `custom_id` is
 *   derived from the key and is what the provider echoes back.
 * - shards: a shard is recorded (status `planned`) BEFORE it is submitted and its batch id right
 *   after, so a crash between the two is detectable and reconciled (providers' findSubmitted).
 * - responses: the response cache, shared by every run and recipe using this state directory, so it
 *   references no run.
 * - ledger: tokens and cost per collected shard.
 *
 * Each value list below is both the TypeScript union and the column's CHECK constraint, so the two
 * cannot drift apart.
 */
import type Database from 'better-sqlite3';
import { StoreVersionError } from './errors.js';

export const RUN_STATUSES = ['running', 'completed', 'failed', 'cancelled', 'budget_exceeded', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const STEP_KINDS = ['generate', 'embed', 'dedup', 'filter'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const STEP_STATUSES = ['running', 'done'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/**
 * `pending`: recorded by planning, not yet in a recorded shard. `sharded`: in a shard, awaiting its
 * result. `retry`: answered invalid with attempts left. `final`: its answer is the one kept.
 */
export const REQUEST_STATUSES = ['pending', 'sharded', 'retry', 'final'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Why a sample is (not) usable. `valid` is the only success. */
export const RESPONSE_OUTCOMES = [
  'valid',
  'not_json',
  'schema_violation',
  'refusal',
  'truncated',
  'provider_error',
  'expired',
  'canceled',
  'missing',
] as const;
export type ResponseOutcome = (typeof RESPONSE_OUTCOMES)[number];

export const SHARD_STATUSES = ['planned', 'submitting', 'submitted', 'ended', 'failed', 'collected'] as const;
export type ShardStatus = (typeof SHARD_STATUSES)[number];

export const SHARD_KINDS = ['chat', 'embedding'] as const;
export type ShardKind = (typeof SHARD_KINDS)[number];

/** Version 2: CHECK constraints on every status and kind column, foreign keys to runs and shards. */
export const STORE_SCHEMA_VERSION = 2;

/** A CHECK clause admitting exactly `values` (NULL passes a CHECK, so nullable columns stay nullable). */
function oneOf(column: string, values: readonly string[]): string {
  return `CHECK (${column} IN (${values.map((value) => `'${value}'`).join(', ')}))`;
}

// requests.shard_id references shards(id): planning inserts the shard row and assigns its requests
// in one transaction, shard first. ledger.shard_id likewise: an entry is written when its shard is
// collected. Nothing deletes runs or shards, so no child index is needed for the parent side.
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

CREATE TABLE IF NOT EXISTS shards (
  id TEXT PRIMARY KEY,
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
  status TEXT NOT NULL ${oneOf('status', SHARD_STATUSES)},
  batch_id TEXT,
  handle TEXT,
  raw_status TEXT,
  counts TEXT,
  error TEXT,
  created_at INTEGER NOT NULL,
  submitted_at INTEGER,
  ended_at INTEGER,
  collected_at INTEGER
);
CREATE INDEX IF NOT EXISTS shards_by_run ON shards (run_id, step_index, status);

CREATE TABLE IF NOT EXISTS requests (
  run_id TEXT NOT NULL REFERENCES runs (id),
  step_index INTEGER NOT NULL,
  request_key TEXT NOT NULL,
  custom_id TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL ${oneOf('status', REQUEST_STATUSES)},
  outcome TEXT ${oneOf('outcome', RESPONSE_OUTCOMES)},
  shard_id TEXT REFERENCES shards (id),
  PRIMARY KEY (run_id, step_index, request_key)
);
CREATE INDEX IF NOT EXISTS requests_by_custom_id ON requests (run_id, step_index, custom_id);
CREATE INDEX IF NOT EXISTS requests_by_status ON requests (run_id, step_index, status);

CREATE TABLE IF NOT EXISTS responses (
  request_key TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  outcome TEXT NOT NULL ${oneOf('outcome', RESPONSE_OUTCOMES)},
  reason TEXT,
  value TEXT,
  text_excerpt TEXT,
  usage TEXT,
  batch_id TEXT,
  custom_id TEXT,
  attempts INTEGER NOT NULL,
  final INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

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
  if (storeVersion(db) === STORE_SCHEMA_VERSION) return;
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
