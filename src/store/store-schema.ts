/**
 * Tables of the run store (one SQLite file, WAL, under the state directory).
 *
 * - runs / steps: what was asked and how far it got.
 * - requests: one row per unique request of a step in a run (the key is the idempotency key of
 *   DESIGN.md). `custom_id` is derived from the key and is what the provider echoes back.
 * - shards: a shard is recorded (status `planned`) BEFORE it is submitted and its batch id right
 *   after, so a crash between the two is detectable and reconciled (providers' findSubmitted).
 * - responses: the response cache, shared by every run and recipe using this state directory.
 * - ledger: tokens and cost per collected shard.
 */
export const STORE_SCHEMA_VERSION = 1;

export const STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  recipe_name TEXT NOT NULL,
  recipe_path TEXT NOT NULL,
  recipe_hash TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  options TEXT NOT NULL,
  summary TEXT,
  error TEXT,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  pid INTEGER
);

CREATE TABLE IF NOT EXISTS steps (
  run_id TEXT NOT NULL,
  step_index INTEGER NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  counts TEXT,
  PRIMARY KEY (run_id, step_index)
);

CREATE TABLE IF NOT EXISTS requests (
  run_id TEXT NOT NULL,
  step_index INTEGER NOT NULL,
  request_key TEXT NOT NULL,
  custom_id TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  outcome TEXT,
  shard_id TEXT,
  PRIMARY KEY (run_id, step_index, request_key)
);
CREATE INDEX IF NOT EXISTS requests_by_custom_id ON requests (run_id, step_index, custom_id);
CREATE INDEX IF NOT EXISTS requests_by_status ON requests (run_id, step_index, status);

CREATE TABLE IF NOT EXISTS shards (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  step_index INTEGER NOT NULL,
  round INTEGER NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  kind TEXT NOT NULL DEFAULT 'chat',
  input_path TEXT NOT NULL,
  input_hash TEXT NOT NULL,
  request_count INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  estimate_usd REAL,
  status TEXT NOT NULL,
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

CREATE TABLE IF NOT EXISTS responses (
  request_key TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  outcome TEXT NOT NULL,
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
  run_id TEXT NOT NULL,
  step_index INTEGER NOT NULL,
  shard_id TEXT NOT NULL,
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
