/**
 * The commit thread (shard-commit-thread.ts): stores collected shards through its own connection
 * to the state directory's store, one transaction per shard, as the calling thread would.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RunStore } from '../store/run-store.js';
import { commitShard } from './shard-commit.js';
import type { CommitReply, CommitRequest } from './shard-commit-thread.js';

const store = new RunStore((workerData as { stateDir: string }).stateDir);

parentPort!.on('message', (message: CommitRequest | 'close') => {
  if (message === 'close') {
    // Its connection's descriptors are the process's: ending the thread would not close them.
    store.close();
    parentPort!.close();
    return;
  }
  const { id, commit, keys } = message;
  try {
    commitShard(store, commit, Buffer.from(keys.buffer, keys.byteOffset, keys.byteLength));
    parentPort!.postMessage({ id } satisfies CommitReply);
  } catch (error) {
    parentPort!.postMessage({ id, error: (error as Error).message } satisfies CommitReply);
  }
});
