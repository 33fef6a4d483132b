import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { commitShard, type ShardCommit } from '../../src/engine/shard-commit.js';
import { ShardCommitThread } from '../../src/engine/shard-commit-thread.js';
import { RunStore } from '../../src/store/run-store.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { SHARD_RUN, storeWithShard as storeInDir } from '../helpers/store-with-shard.js';

const tempDir = useTempDirs();
const RUN = SHARD_RUN;
const LINES = 40;

/** A store with one run, its generate step and one recorded shard of LINES lines. */
function storeWithShard(dir: string): { store: RunStore; seq: number } {
  const recorded = storeInDir(dir, LINES);
  recorded.store.saveStep(RUN.id, 0, 'gen', 'generate', 'running');
  return recorded;
}

/** Every other line valid, with its place and tokens; the rest invalid (offset −1). */
function commitOf(shardSeq: number): ShardCommit {
  const offsets = new Float64Array(LINES).map((_, line) => (line % 2 === 0 ? line * 100 : -1));
  return {
    shardId: 'run-1-s0-0000',
    answers: { shardSeq, attempt: 1, offsets, sizes: new Uint32Array(LINES).fill(99), tokens: new Float64Array(LINES * 3).map((_, index) => index) },
    outcomes: new Uint8Array(LINES).fill(0x80),
    ledger: { runId: RUN.id, stepIndex: 0, shardId: 'run-1-s0-0000', provider: 'openai', model: 'gpt-4o-mini', requests: LINES, inputTokens: 5, outputTokens: 7, cachedInputTokens: 0 },
  };
}

/** What a commit left in the store: the shard's status and outcomes, its cache rows by line, the ledger. */
function stored(store: RunStore, keys: Buffer): unknown {
  return {
    status: store.getShard('run-1-s0-0000')!.status,
    outcomes: [...(store.shardOutcomes('run-1-s0-0000') ?? [])],
    rows: Array.from({ length: LINES }, (_, line) => store.responses.get(keys.subarray(line * 16, line * 16 + 16)) ?? null),
    ledger: store.ledgerTotals(RUN.id),
  };
}

describe('ShardCommitThread', () => {
  it('stores a collected shard on its own connection exactly as the calling thread does', async () => {
    const keys = randomBytes(16 * LINES);
    const here = storeWithShard(tempDir());
    commitShard(here.store, commitOf(here.seq), keys);
    const dir = tempDir();
    const there = storeWithShard(dir);
    const thread = ShardCommitThread.lease(dir);
    await thread.commit(commitOf(there.seq), keys);
    await thread.release({ failed: false });
    await thread.close();
    const expected = stored(here.store, keys);
    expect(stored(there.store, keys)).toStrictEqual(expected);
    expect(expected).toMatchObject({ status: 'collected', ledger: { requests: LINES, inputTokens: 5, outputTokens: 7 } });
    expect((expected as { rows: unknown[] }).rows.filter(Boolean)).toHaveLength(LINES / 2);
    here.store.close();
    there.store.close();
  });

  it('stores nothing when the transaction fails, rejects with a coded error, and closes the thread', async () => {
    const dir = tempDir();
    const { store, seq } = storeWithShard(dir);
    const keys = randomBytes(16 * LINES);
    const thread = ShardCommitThread.lease(dir);
    // An answer in a shard the store never recorded: the first cache row breaks its reference.
    const error = await thread.commit(commitOf(seq + 1), keys).catch((caught: unknown) => caught as Error & { code?: string });
    expect(error).toBeInstanceOf(Error);
    expect(error!.code).toBe('collect_worker');
    expect(error!.message).toMatch(/storing a collected shard failed: FOREIGN KEY constraint failed/);
    await thread.release({ failed: true });
    const next = ShardCommitThread.lease(dir);
    expect(next).not.toBe(thread);
    await next.release({ failed: false });
    await next.close();
    expect(stored(store, keys)).toMatchObject({ status: 'planned', outcomes: [], ledger: { requests: 0 } });
    expect(store.responses.isEmpty()).toBe(true);
    store.close();
  });
});
