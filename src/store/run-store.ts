/**
 * The durable run state: runs, their steps and rounds, shards and cost ledger, and the response cache
 * on the same connection (`responses`). Synchronous (better-sqlite3) on purpose: each state change
 * that follows a provider call is one transaction, committed before the next provider call.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreVersionError } from './errors.js';
import { ResponseCache, type TierPolicy } from './response-cache.js';
import { checkStoreIntegrity } from './store-integrity.js';
import {
  prepareStoreSchema,
  STORE_SCHEMA_VERSION,
  type RoundStatus,
  type RunStatus,
  type ShardKind,
  type ShardStatus,
  type StepKind,
  type StepStatus,
} from './store-schema.js';

export interface RunRow {
  id: string;
  recipeName: string;
  recipePath: string;
  recipeHash: string;
  status: RunStatus;
  createdAt: number;
  updatedAt: number;
  options: Record<string, unknown>;
  summary?: unknown;
  error?: string;
  cancelRequested: boolean;
  /** The process that last worked on the run (to tell a live run from a crashed one). */
  pid?: number;
}

export interface ShardRow {
  /** A number unique in the state directory (the response cache points at shards by it). */
  seq: number;
  id: string;
  runId: string;
  stepIndex: number;
  round: number;
  provider: string;
  model: string;
  endpoint: string;
  kind: ShardKind;
  inputPath: string;
  inputHash: string;
  requestCount: number;
  bytes: number;
  estimateUsd?: number;
  /** Estimated input tokens of its requests (what a provider's enqueued-token limit counts); absent in shards planned before it was recorded. */
  inputTokens?: number;
  status: ShardStatus;
  batchId?: string;
  handle?: unknown;
  rawStatus?: string;
  counts?: unknown;
  error?: string;
  createdAt: number;
  submittedAt?: number;
}

export interface RoundRow {
  round: number;
  status: RoundStatus;
  counts?: unknown;
}

export interface LedgerRow {
  runId: string;
  stepIndex: number;
  shardId: string;
  batchId?: string;
  provider: string;
  model: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  costUsd?: number;
  syncCostUsd?: number;
}

type Row = Record<string, unknown>;

/** Every column of `shards` but the outcome bytes, which only collecting and emitting read. */
const SHARD_COLUMNS =
  'seq, id, run_id, step_index, round, provider, model, endpoint, kind, input_path, input_hash, request_count, bytes, estimate_usd, input_tokens, status, ' +
  'batch_id, handle, raw_status, counts, error, created_at, submitted_at, ended_at, collected_at';

export class RunStore {
  readonly #db: Database.Database;
  /** The cross-run response cache, keyed by request key. */
  readonly responses: ResponseCache;

  /**
   * Throws StoreVersionError when the directory holds a store of another schema version, or not a store.
   * `readOnly`: a second connection to a store another one opened (the emit pool's workers), which only
   * reads: WAL mode lets it read beside the writer without locking it out, and it changes nothing.
   * `cacheTiers`: when the response cache seals and merges its tables (TIER_POLICY; tests make it small).
   */
  constructor(readonly stateDir: string, options: { readOnly?: boolean; cacheTiers?: TierPolicy } = {}) {
    if (options.readOnly) {
      this.#db = new Database(join(stateDir, 'synthforge.db'), { readonly: true, fileMustExist: true });
      this.#db.pragma('busy_timeout = 10000');
      this.responses = new ResponseCache(this.#db, options.cacheTiers);
      return;
    }
    checkStoreIntegrity(stateDir);
    mkdirSync(stateDir, { recursive: true });
    const file = join(stateDir, 'synthforge.db');
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a committed transaction survives any crash of the process (kill -9),
      // which is what exactly-once submission relies on; only an OS crash or power loss can lose the
      // last commits. FULL would fsync every commit and cost ~10x at a million results.
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 10000');
      // Checkpoint every ~80 MB of WAL instead of 4 MB: with random-key B-trees nearly every small
      // checkpoint rewrites many pages and fsyncs twice (measured: commits 2-3x faster at 300K rows).
      db.pragma('wal_autocheckpoint = 20000');
      db.pragma('foreign_keys = ON');
      prepareStoreSchema(db, file);
    } catch (error) {
      db.close();
      if ((error as { code?: unknown }).code === 'SQLITE_NOTADB') throw new StoreVersionError(file, undefined, STORE_SCHEMA_VERSION, error);
      throw error;
    }
    this.#db = db;
    this.responses = new ResponseCache(db, options.cacheTiers);
  }

  close(): void {
    this.#db.close();
  }

  /** Bytes of the database's pages (committed WAL frames included, free pages too). */
  sizeBytes(): number {
    return Number(this.#db.pragma('page_count', { simple: true })) * Number(this.#db.pragma('page_size', { simple: true }));
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** Prepared once per SQL text: preparing on every call costs more than running the statement. */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * IMMEDIATE: the write lock is taken at the start, so a transaction waits (busy_timeout) for another
   * connection's write (the commit thread's, a `cancel` from another process) instead of failing when
   * the other commits between its first read and its first write.
   */
  transaction<T>(run: () => T): T {
    return this.#db
      .transaction(() => {
        this.responses.transactionStarted();
        return run();
      })
      .immediate();
  }

  // --- runs -------------------------------------------------------------------------------------

  createRun(run: Pick<RunRow, 'id' | 'recipeName' | 'recipePath' | 'recipeHash' | 'options'>): void {
    const now = Date.now();
    this.statement(
        `INSERT INTO runs (id, recipe_name, recipe_path, recipe_hash, status, created_at, updated_at, options)
         VALUES (?, ?, ?, ?, 'running', ?, ?, ?)`,
      )
      .run(run.id, run.recipeName, run.recipePath, run.recipeHash, now, now, JSON.stringify(run.options));
  }

  getRun(id: string): RunRow | undefined {
    const row = this.statement('SELECT * FROM runs WHERE id = ?').get(id) as Row | undefined;
    return row ? toRunRow(row) : undefined;
  }

  listRuns(limit = 20): RunRow[] {
    return (this.statement('SELECT * FROM runs ORDER BY created_at DESC, id DESC LIMIT ?').all(limit) as Row[]).map(toRunRow);
  }

  /**
   * The newest unfinished run of this recipe (same file, same work hash), if any. Failed and
   * interrupted runs count as unfinished: their batches may still be running (and paid for), so a
   * new attempt must continue them, not start over. Completed and cancelled runs do not.
   */
  findResumableRun(recipePath: string, recipeHash: string): RunRow | undefined {
    const row = this.statement(
        `SELECT * FROM runs WHERE recipe_path = ? AND recipe_hash = ? AND status IN ('running', 'budget_exceeded', 'failed', 'interrupted')
         ORDER BY created_at DESC LIMIT 1`,
      )
      .get(recipePath, recipeHash) as Row | undefined;
    return row ? toRunRow(row) : undefined;
  }

  setRunStatus(id: string, status: RunStatus, extra: { summary?: unknown; error?: string } = {}): void {
    this.statement('UPDATE runs SET status = ?, updated_at = ?, summary = COALESCE(?, summary), error = ? WHERE id = ?')
      .run(status, Date.now(), extra.summary === undefined ? null : JSON.stringify(extra.summary), extra.error ?? null, id);
  }

  /** Marks the run as worked on by this process, clearing an earlier cancel request. */
  claimRun(id: string, pid: number): void {
    this.statement(`UPDATE runs SET pid = ?, status = 'running', cancel_requested = 0, updated_at = ? WHERE id = ?`).run(pid, Date.now(), id);
  }

  requestCancel(id: string): void {
    this.statement('UPDATE runs SET cancel_requested = 1, updated_at = ? WHERE id = ?').run(Date.now(), id);
  }

  isCancelRequested(id: string): boolean {
    const row = this.statement('SELECT cancel_requested FROM runs WHERE id = ?').get(id) as { cancel_requested: number } | undefined;
    return row?.cancel_requested === 1;
  }

  // --- steps ------------------------------------------------------------------------------------

  saveStep(runId: string, index: number, name: string, kind: StepKind, status: StepStatus, counts?: unknown): void {
    this.statement(
        `INSERT INTO steps (run_id, step_index, name, kind, status, counts) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, step_index) DO UPDATE SET status = excluded.status, counts = COALESCE(excluded.counts, counts)`,
      )
      .run(runId, index, name, kind, status, counts === undefined ? null : JSON.stringify(counts));
  }

  getSteps(runId: string): { index: number; name: string; kind: StepKind; status: StepStatus; counts?: unknown }[] {
    const rows = this.statement('SELECT * FROM steps WHERE run_id = ? ORDER BY step_index').all(runId) as Row[];
    return rows.map((row) => ({
      index: row.step_index as number,
      name: row.name as string,
      kind: row.kind as StepKind,
      status: row.status as StepStatus,
      ...(row.counts ? { counts: JSON.parse(row.counts as string) } : {}),
    }));
  }

  // --- rounds ---------------------------------------------------------------------------------

  /** A round of a generate step is `planning` until every shard of it is recorded, then `planned`. */
  saveRound(runId: string, stepIndex: number, round: number, status: RoundStatus, counts?: unknown): void {
    this.statement(
        `INSERT INTO rounds (run_id, step_index, round, status, counts) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (run_id, step_index, round) DO UPDATE SET status = excluded.status, counts = COALESCE(excluded.counts, counts)`,
      )
      .run(runId, stepIndex, round, status, counts === undefined ? null : JSON.stringify(counts));
  }

  getRound(runId: string, stepIndex: number, round: number): RoundRow | undefined {
    const row = this.statement('SELECT * FROM rounds WHERE run_id = ? AND step_index = ? AND round = ?').get(runId, stepIndex, round) as Row | undefined;
    return row ? { round: row.round as number, status: row.status as RoundStatus, ...(row.counts ? { counts: JSON.parse(row.counts as string) } : {}) } : undefined;
  }

  // --- shards -----------------------------------------------------------------------------------

  /** Records a planned shard; returns its `seq`. */
  insertShard(shard: Omit<ShardRow, 'seq' | 'status' | 'createdAt'>): number {
    const result = this.statement(
        `INSERT INTO shards (id, run_id, step_index, round, provider, model, endpoint, kind, input_path, input_hash, request_count, bytes,
           estimate_usd, input_tokens, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?)`,
      )
      .run(
        shard.id,
        shard.runId,
        shard.stepIndex,
        shard.round,
        shard.provider,
        shard.model,
        shard.endpoint,
        shard.kind,
        shard.inputPath,
        shard.inputHash,
        shard.requestCount,
        shard.bytes,
        shard.estimateUsd ?? null,
        shard.inputTokens ?? null,
        Date.now(),
      );
    return Number(result.lastInsertRowid);
  }

  getShard(id: string): ShardRow | undefined {
    const row = this.statement(`SELECT ${SHARD_COLUMNS} FROM shards WHERE id = ?`).get(id) as Row | undefined;
    return row ? toShardRow(row) : undefined;
  }

  /** A collected shard's outcome bytes: one per line, the outcome code plus FINAL_OUTCOME_BIT (store-schema.ts). */
  shardOutcomes(id: string): Uint8Array | undefined {
    const row = this.statement('SELECT outcomes FROM shards WHERE id = ?').get(id) as { outcomes: Buffer | null } | undefined;
    return row?.outcomes ? new Uint8Array(row.outcomes) : undefined;
  }

  shardBySeq(seq: number): ShardRow | undefined {
    const row = this.statement(`SELECT ${SHARD_COLUMNS} FROM shards WHERE seq = ?`).get(seq) as Row | undefined;
    return row ? toShardRow(row) : undefined;
  }

  shardsOfStep(runId: string, stepIndex: number): ShardRow[] {
    return (this.statement(`SELECT ${SHARD_COLUMNS} FROM shards WHERE run_id = ? AND step_index = ? ORDER BY seq`).all(runId, stepIndex) as Row[]).map(
      toShardRow,
    );
  }

  shardsOfRun(runId: string): ShardRow[] {
    return (this.statement(`SELECT ${SHARD_COLUMNS} FROM shards WHERE run_id = ? ORDER BY step_index, seq`).all(runId) as Row[]).map(toShardRow);
  }

  /** Written right before the provider call: a crash after this line means "maybe submitted". */
  markShardSubmitting(id: string): void {
    this.statement(`UPDATE shards SET status = 'submitting', submitted_at = ? WHERE id = ?`).run(Date.now(), id);
  }

  /** Back to planned: the provider said no (a definite rejection, nothing was created). */
  markShardPlanned(id: string, error?: string): void {
    this.statement(`UPDATE shards SET status = 'planned', error = ? WHERE id = ?`).run(error ?? null, id);
  }

  markShardSubmitted(id: string, batchId: string, handle: unknown): void {
    this.statement(`UPDATE shards SET status = 'submitted', batch_id = ?, handle = ?, error = NULL WHERE id = ?`)
      .run(batchId, JSON.stringify(handle), id);
  }

  updateShardProgress(id: string, rawStatus: string, counts: unknown): void {
    this.statement('UPDATE shards SET raw_status = ?, counts = ? WHERE id = ?').run(rawStatus, counts === undefined ? null : JSON.stringify(counts), id);
  }

  markShardEnded(id: string, status: Extract<ShardStatus, 'ended' | 'failed'>, rawStatus: string, error?: string): void {
    this.statement('UPDATE shards SET status = ?, raw_status = ?, error = ?, ended_at = ? WHERE id = ?')
      .run(status, rawStatus, error ?? null, Date.now(), id);
  }

  markShardCollected(id: string, outcomes: Uint8Array): void {
    this.statement(`UPDATE shards SET status = 'collected', outcomes = ?, collected_at = ? WHERE id = ?`)
      .run(Buffer.from(outcomes.buffer, outcomes.byteOffset, outcomes.byteLength), Date.now(), id);
  }

  /**
   * Retires a shard that was never sent (no batch id) and marks its round `planning`, so the round is
   * planned again without it. False when the shard has a batch by now.
   */
  retireShard(id: string): boolean {
    return this.transaction(() => {
      const retired = this.statement(`UPDATE shards SET status = 'retired' WHERE id = ? AND batch_id IS NULL AND status IN ('planned', 'submitting')`).run(id);
      if (retired.changes === 0) return false;
      this.statement(`UPDATE rounds SET status = 'planning' WHERE (run_id, step_index, round) = (SELECT run_id, step_index, round FROM shards WHERE id = ?)`).run(id);
      return true;
    });
  }

  /**
   * A submitted shard whose batch the provider failed for a full queue goes back to `planned` in the
   * same round (no attempt spent), and its batch id is kept aside so that no lookup adopts it again.
   * False when the shard no longer has that batch (another process got there first).
   */
  requeueShard(id: string, batchId: string, error: string): boolean {
    return this.transaction(() => {
      const changed = this.statement(
        `UPDATE shards SET status = 'planned', batch_id = NULL, handle = NULL, raw_status = NULL, counts = NULL, error = ? WHERE id = ? AND batch_id = ? AND status = 'submitted'`,
      ).run(error, id, batchId);
      if (changed.changes === 0) return false;
      this.statement('INSERT OR IGNORE INTO requeued_batches (batch_id, shard_id, requeued_at) VALUES (?, ?, ?)').run(batchId, id, Date.now());
      return true;
    });
  }

  /** How many batches of the shard were failed for a full queue and requeued. */
  requeuedBatches(shardId: string): string[] {
    return (this.statement('SELECT batch_id FROM requeued_batches WHERE shard_id = ? ORDER BY requeued_at').all(shardId) as { batch_id: string }[]).map((row) => row.batch_id);
  }

  /** Every batch id this state directory attributes to a shard, requeued ones included: none of them is a lost create. */
  knownBatchIds(): Set<string> {
    const rows = this.statement('SELECT batch_id FROM shards WHERE batch_id IS NOT NULL UNION SELECT batch_id FROM requeued_batches').all() as { batch_id: string }[];
    return new Set(rows.map((row) => row.batch_id));
  }

  // --- ledger -----------------------------------------------------------------------------------

  addLedgerEntry(entry: LedgerRow): void {
    this.statement(
        `INSERT INTO ledger (run_id, step_index, shard_id, batch_id, provider, model, requests, input_tokens, output_tokens,
           cached_input_tokens, cost_usd, sync_cost_usd, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        entry.runId,
        entry.stepIndex,
        entry.shardId,
        entry.batchId ?? null,
        entry.provider,
        entry.model,
        entry.requests,
        entry.inputTokens,
        entry.outputTokens,
        entry.cachedInputTokens,
        entry.costUsd ?? null,
        entry.syncCostUsd ?? null,
        Date.now(),
      );
  }

  /**
   * Output and input tokens of the cached valid answers of every step of every run of a dataset,
   * grouped by run, step name and model: what observed-output estimates start from. One pass over
   * the cache's tables (no index by shard; a key is in one table only), read without the state lock.
   */
  answerTokenStats(recipeName: string): AnswerTokenStats[] {
    const rows = this.responses.withEveryRow((responses) =>
      this.#db
        .prepare(
          `SELECT runs.id AS run_id, runs.options AS options, runs.created_at AS created_at, steps.name AS step_name, shards.provider AS provider,
             shards.model AS model, COUNT(*) AS answers, SUM(r.output_tokens) AS output, SUM(r.output_tokens * r.output_tokens) AS output_sq,
             SUM(r.input_tokens) AS input
           FROM ${responses} r
             JOIN shards ON shards.seq = r.shard_seq JOIN runs ON runs.id = shards.run_id
             JOIN steps ON steps.run_id = shards.run_id AND steps.step_index = shards.step_index
           WHERE runs.recipe_name = ?
           GROUP BY runs.id, steps.name, shards.provider, shards.model`,
        )
        .all(recipeName),
    ) as Row[];
    return rows.map((row) => ({
      runId: row.run_id as string,
      runOptions: JSON.parse(row.options as string) as Record<string, unknown>,
      createdAt: row.created_at as number,
      stepName: row.step_name as string,
      provider: row.provider as string,
      model: row.model as string,
      answers: row.answers as number,
      outputTokens: row.output as number,
      outputTokensSquared: row.output_sq as number,
      inputTokens: row.input as number,
    }));
  }

  /**
   * The order shards were first collected in, from their ledger entries (AUTOINCREMENT ids, written in
   * the transaction that stores a shard's cache rows): the entry id of each shard of the run's step, and
   * the largest id of any other run or step (0: none). A cache row put by one of the step's shards was
   * replaced by no one else when no other entry is later than that shard's.
   */
  collectOrder(runId: string, stepIndex: number): { shards: Map<string, number>; latestElsewhere: number } {
    const own = this.statement('SELECT shard_id, id FROM ledger WHERE run_id = ? AND step_index = ?').raw(true).all(runId, stepIndex) as [string, number][];
    const elsewhere = this.statement('SELECT MAX(id) FROM ledger WHERE run_id <> ? OR step_index <> ?').pluck(true).get(runId, stepIndex) as number | null;
    return { shards: new Map(own), latestElsewhere: elsewhere ?? 0 };
  }

  ledgerTotals(runId: string, stepIndex?: number): LedgerTotals {
    const where = stepIndex === undefined ? 'run_id = ?' : 'run_id = ? AND step_index = ?';
    const parameters = stepIndex === undefined ? [runId] : [runId, stepIndex];
    const row = this.statement(
        `SELECT COALESCE(SUM(requests), 0) AS requests, COALESCE(SUM(input_tokens), 0) AS input, COALESCE(SUM(output_tokens), 0) AS output,
           COALESCE(SUM(cached_input_tokens), 0) AS cached, SUM(cost_usd) AS cost, SUM(sync_cost_usd) AS sync,
           SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END) AS unpriced
         FROM ledger WHERE ${where}`,
      )
      .get(...parameters) as Row;
    return {
      requests: row.requests as number,
      inputTokens: row.input as number,
      outputTokens: row.output as number,
      cachedInputTokens: row.cached as number,
      costUsd: (row.cost as number | null) ?? 0,
      syncCostUsd: (row.sync as number | null) ?? 0,
      unpricedEntries: (row.unpriced as number | null) ?? 0,
    };
  }
}

/** Token sums of the cached valid answers of one step of one run (`answerTokenStats`). */
export interface AnswerTokenStats {
  runId: string;
  /** The run's options as recorded (a preview's say `preview: true`). */
  runOptions: Record<string, unknown>;
  createdAt: number;
  stepName: string;
  provider: string;
  model: string;
  answers: number;
  outputTokens: number;
  /** Sum of squared output tokens, for the spread. */
  outputTokensSquared: number;
  inputTokens: number;
}

export interface LedgerTotals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  costUsd: number;
  syncCostUsd: number;
  /** Ledger entries for models with no known price: their cost is unknown, not zero. */
  unpricedEntries: number;
}

function toRunRow(row: Row): RunRow {
  return {
    id: row.id as string,
    recipeName: row.recipe_name as string,
    recipePath: row.recipe_path as string,
    recipeHash: row.recipe_hash as string,
    status: row.status as RunStatus,
    createdAt: row.created_at as number,
    updatedAt: row.updated_at as number,
    options: JSON.parse(row.options as string) as Record<string, unknown>,
    ...(row.summary ? { summary: JSON.parse(row.summary as string) } : {}),
    ...(row.error ? { error: row.error as string } : {}),
    cancelRequested: row.cancel_requested === 1,
    ...(row.pid ? { pid: row.pid as number } : {}),
  };
}

function toShardRow(row: Row): ShardRow {
  return {
    seq: row.seq as number,
    id: row.id as string,
    runId: row.run_id as string,
    stepIndex: row.step_index as number,
    round: row.round as number,
    provider: row.provider as string,
    model: row.model as string,
    endpoint: row.endpoint as string,
    kind: row.kind as ShardKind,
    inputPath: row.input_path as string,
    inputHash: row.input_hash as string,
    requestCount: row.request_count as number,
    bytes: row.bytes as number,
    ...(row.estimate_usd !== null ? { estimateUsd: row.estimate_usd as number } : {}),
    ...(row.input_tokens !== null && row.input_tokens !== undefined ? { inputTokens: row.input_tokens as number } : {}),
    status: row.status as ShardStatus,
    ...(row.batch_id ? { batchId: row.batch_id as string } : {}),
    ...(row.handle ? { handle: JSON.parse(row.handle as string) } : {}),
    ...(row.raw_status ? { rawStatus: row.raw_status as string } : {}),
    ...(row.counts ? { counts: JSON.parse(row.counts as string) } : {}),
    ...(row.error ? { error: row.error as string } : {}),
    createdAt: row.created_at as number,
    ...(row.submitted_at ? { submittedAt: row.submitted_at as number } : {}),
  };
}
