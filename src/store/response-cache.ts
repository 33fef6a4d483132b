/**
 * The response cache: the judged answer to each request key, shared by every run and recipe using
 * the same state directory. A key is a hash of everything that determines the provider's answer, so
 * a final answer stored under it can be served to any later run instead of calling the provider.
 *
 * It shares the run store's connection, so a put inside `RunStore.transaction` commits together
 * with the request's outcome.
 */
import type Database from 'better-sqlite3';
import type { ResponseOutcome } from './store-schema.js';

export interface ResponseRow {
  requestKey: string;
  provider: string;
  model: string;
  outcome: ResponseOutcome;
  reason?: string;
  value?: unknown;
  textExcerpt?: string;
  usage?: { inputTokens: number; outputTokens: number; cachedInputTokens?: number };
  batchId?: string;
  customId?: string;
  attempts: number;
  /** A final response is served as-is: valid, or invalid after every allowed attempt. */
  final: boolean;
}

export class ResponseCache {
  readonly #get: Database.Statement;
  readonly #put: Database.Statement;

  constructor(db: Database.Database) {
    this.#get = db.prepare('SELECT * FROM responses WHERE request_key = ?');
    // A later answer to the same key replaces the earlier one (a retry's result, or a re-collect);
    // provider and model stay as first written, which the key already fixes.
    this.#put = db.prepare(
      `INSERT INTO responses (request_key, provider, model, outcome, reason, value, text_excerpt, usage, batch_id, custom_id, attempts, final, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (request_key) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason, value = excluded.value,
         text_excerpt = excluded.text_excerpt, usage = excluded.usage, batch_id = excluded.batch_id, custom_id = excluded.custom_id,
         attempts = excluded.attempts, final = excluded.final, created_at = excluded.created_at`,
    );
  }

  get(requestKey: string): ResponseRow | undefined {
    const row = this.#get.get(requestKey) as Record<string, unknown> | undefined;
    return row ? toResponseRow(row) : undefined;
  }

  put(response: ResponseRow): void {
    this.#put.run(
      response.requestKey,
      response.provider,
      response.model,
      response.outcome,
      response.reason ?? null,
      response.value === undefined ? null : JSON.stringify(response.value),
      response.textExcerpt ?? null,
      response.usage ? JSON.stringify(response.usage) : null,
      response.batchId ?? null,
      response.customId ?? null,
      response.attempts,
      response.final ? 1 : 0,
      Date.now(),
    );
  }
}

function toResponseRow(row: Record<string, unknown>): ResponseRow {
  return {
    requestKey: row.request_key as string,
    provider: row.provider as string,
    model: row.model as string,
    outcome: row.outcome as ResponseOutcome,
    ...(row.reason ? { reason: row.reason as string } : {}),
    ...(row.value !== null ? { value: JSON.parse(row.value as string) } : {}),
    ...(row.text_excerpt ? { textExcerpt: row.text_excerpt as string } : {}),
    ...(row.usage ? { usage: JSON.parse(row.usage as string) } : {}),
    ...(row.batch_id ? { batchId: row.batch_id as string } : {}),
    ...(row.custom_id ? { customId: row.custom_id as string } : {}),
    attempts: row.attempts as number,
    final: row.final === 1,
  };
}
