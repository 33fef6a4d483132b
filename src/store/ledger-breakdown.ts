/**
 * The ledger of one run summed per step, provider and model, read through a read-only connection of
 * its own: the data viewer asks while a run may be writing, and must never create, migrate or lock
 * a store (a `RunStore` would create one where none exists).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { LedgerTotals } from './run-store.js';

export interface LedgerSlice extends LedgerTotals {
  stepIndex: number;
  provider: string;
  model: string;
  shards: number;
}

export interface ShardLedger {
  shardId: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
}

/** Per step, provider and model; undefined when the state directory has no store. */
export function ledgerBreakdown(stateDir: string, runId: string): LedgerSlice[] | undefined {
  return withReadOnlyStore(stateDir, (db) =>
    (
      db
        .prepare(
          `SELECT step_index, provider, model, COUNT(*) AS shards, SUM(requests) AS requests, SUM(input_tokens) AS input,
             SUM(output_tokens) AS output, SUM(cached_input_tokens) AS cached, COALESCE(SUM(cost_usd), 0) AS cost,
             COALESCE(SUM(sync_cost_usd), 0) AS sync, SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END) AS unpriced
           FROM ledger WHERE run_id = ? GROUP BY step_index, provider, model ORDER BY step_index, provider, model`,
        )
        .all(runId) as Record<string, number | string>[]
    ).map((row) => ({
      stepIndex: row.step_index as number,
      provider: row.provider as string,
      model: row.model as string,
      shards: row.shards as number,
      requests: row.requests as number,
      inputTokens: row.input as number,
      outputTokens: row.output as number,
      cachedInputTokens: row.cached as number,
      costUsd: row.cost as number,
      syncCostUsd: row.sync as number,
      unpricedEntries: row.unpriced as number,
    })),
  );
}

/** The ledger entries of some shards, to give one request its share of its batch's cost. */
export function shardLedgers(stateDir: string, shardIds: readonly string[]): ShardLedger[] {
  if (shardIds.length === 0) return [];
  return (
    withReadOnlyStore(stateDir, (db) =>
      (
        db
          .prepare(
            `SELECT shard_id, SUM(input_tokens) AS input, SUM(output_tokens) AS output, SUM(cost_usd) AS cost
             FROM ledger WHERE shard_id IN (${shardIds.map(() => '?').join(', ')}) GROUP BY shard_id`,
          )
          .all(...shardIds) as Record<string, number | string | null>[]
      ).map((row) => ({ shardId: row.shard_id as string, inputTokens: row.input as number, outputTokens: row.output as number, costUsd: row.cost as number | null })),
    ) ?? []
  );
}

function withReadOnlyStore<T>(stateDir: string, read: (db: Database.Database) => T): T | undefined {
  const file = join(stateDir, 'synthforge.db');
  if (!existsSync(file)) return undefined;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    return read(db);
  } finally {
    db.close();
  }
}
