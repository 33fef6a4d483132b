import { RunStore } from '../../src/store/run-store.js';

export const SHARD_RUN = { id: 'run-1', recipeName: 'r', recipePath: '/r.yaml', recipeHash: 'h', options: {} };

/** Records an OpenAI chat shard of `requestCount` lines in `store` (its run recorded already); returns its `seq`. */
export function recordShard(store: RunStore, shard: { id: string; runId: string; requestCount: number; inputPath?: string }): number {
  return store.insertShard({
    id: shard.id,
    runId: shard.runId,
    stepIndex: 0,
    round: 0,
    provider: 'openai',
    model: 'gpt-4o-mini',
    endpoint: '',
    kind: 'chat',
    inputPath: shard.inputPath ?? '/shard.jsonl',
    inputHash: 'abc',
    requestCount: shard.requestCount,
    bytes: 10,
  });
}

/** A store in `dir` with one run (SHARD_RUN) and one recorded shard (`run-1-s0-0000`): cache rows point at shards. */
export function storeWithShard(dir: string, requestCount = 1, options: ConstructorParameters<typeof RunStore>[1] = {}): { store: RunStore; seq: number } {
  const store = new RunStore(dir, options);
  store.createRun(SHARD_RUN);
  return { store, seq: recordShard(store, { id: 'run-1-s0-0000', runId: SHARD_RUN.id, requestCount }) };
}
