/** The digest thread (digest-thread.ts): hashes each file's chunks in the order they come. */
import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { DigestReply, DigestRequest } from './digest-thread.js';

const hashes = new Map<number, Hash>();

parentPort!.on('message', (request: DigestRequest) => {
  let hash = hashes.get(request.file);
  if (!hash) hashes.set(request.file, (hash = createHash('sha256')));
  if (request.type === 'update') {
    hash.update(request.bytes);
    return;
  }
  hashes.delete(request.file);
  parentPort!.postMessage({ file: request.file, sha256: hash.digest('hex') } satisfies DigestReply);
});
