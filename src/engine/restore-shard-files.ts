/**
 * Recovers a generate step's shard files lost from the run folder (deleted by hand, a disk cleaned
 * up) before the step drives its shards, without sending or paying for anything twice:
 *
 * - request file (`.jsonl`) gone, keys file there, shard not collected yet: rendered again from the
 *   step's input (the requests whose keys the keys file lists, encoded with the same custom_ids in
 *   the same order) and checked against the sha256 recorded when the shard was planned. A collected
 *   shard needs its request file no more, so it is left alone.
 * - keys file gone, request file there: rebuilt by rendering the step's input again and matching each
 *   line, its custom_id set aside, to the request that encodes to it. Requests with the same body
 *   (the samples of `n > 1`) take the lines in input order, as planning wrote them.
 * - both gone: a shard never sent is retired and its requests are planned again (nothing was paid);
 *   a `submitting` one is looked up at the provider first; a sent one cannot be joined to its results
 *   any more (ShardFilesLostError, which says what to do).
 * - answers or invalid file of a collected shard gone: its results are downloaded again
 *   (`recollectShard`): no ledger entry is added and nothing is submitted.
 *
 * Only what is missing is rendered, in one pass over the step input per kind of repair; a run whose
 * files are all there checks a few paths and renders nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ShardRow } from '../store/run-store.js';
import { CACHE_KEY_BYTES } from '../store/response-cache.js';
import type { CompiledBatchStep } from './compile-recipe.js';
import { ShardFilesLostError } from './errors.js';
import { KeySet } from './key-set.js';
import { retryKeys } from './plan-round.js';
import { CachedAnswers } from './cached-answers.js';
import { renderOrReject, type RenderedRequest } from './render-requests.js';
import { customIdOf, keyAt, lineCount, readShardKeys, shardAnswersPath, shardInvalidPath, shardKeysPath } from './shard-files.js';
import { adoptSubmitted, recollectShard, type DriveContext } from './shard-lifecycle.js';
import { readRecords } from './stage-files.js';
import { RepairRequests } from './repair-requests.js';

export interface RestoreContext extends DriveContext {
  /** The run asked every request whatever the cache held (`--no-cache`). */
  noCache: boolean;
}

export async function restoreShardFiles(context: RestoreContext, step: CompiledBatchStep, inputPath: string): Promise<void> {
  const shardsOfStep = (): ShardRow[] => context.store.shardsOfStep(context.runId, step.step.index).filter((shard) => shard.status !== 'retired');
  for (const shard of shardsOfStep()) {
    if (!existsSync(shard.inputPath) && !existsSync(shardKeysPath(shard.inputPath))) await bothLost(context, step, shard);
  }
  // repair hook: answer files first where the keys are there, so a repair round's requests render from them.
  await recollectLost(context, step, shardsOfStep().filter((shard) => existsSync(shardKeysPath(shard.inputPath))));
  const withoutKeys = shardsOfStep().filter((shard) => !existsSync(shardKeysPath(shard.inputPath)));
  for (const round of [...new Set(withoutKeys.map((shard) => shard.round))].sort((a, b) => a - b)) {
    await rebuildKeys(context, step, inputPath, round, withoutKeys.filter((shard) => shard.round === round));
  }
  const withoutRequests = shardsOfStep().filter((shard) => shard.status !== 'collected' && !existsSync(shard.inputPath));
  if (withoutRequests.length > 0) await renderRequestsAgain(context, step, inputPath, withoutRequests);
  await recollectLost(context, step, shardsOfStep());
}

async function recollectLost(context: RestoreContext, step: CompiledBatchStep, shards: ShardRow[]): Promise<void> {
  for (const shard of shards) {
    if (shard.status !== 'collected') continue;
    if (existsSync(shardAnswersPath(shard.inputPath)) && existsSync(shardInvalidPath(shard.inputPath))) continue;
    await recollectShard(context, step, shard);
  }
}

/** The request and keys files of a shard are both gone. */
async function bothLost(context: RestoreContext, step: CompiledBatchStep, shard: ShardRow): Promise<void> {
  if (shard.status === 'submitting' && (await adoptSubmitted(context, step, shard))) shard = context.store.getShard(shard.id)!;
  if (retire(context, shard, 'its request and keys files are gone')) return;
  throw new ShardFilesLostError(
    shard.id,
    shardKeysPath(shard.inputPath),
    `its batch ${shard.batchId ?? ''} was sent, and without its request file (${basename(shard.inputPath)}) its results cannot be joined to their requests`,
  );
}

/** Retires a shard that was never sent, so that its round is planned again; false when it was sent. */
function retire(context: RestoreContext, shard: ShardRow, why: string): boolean {
  if (shard.batchId || !context.store.retireShard(shard.id)) return false;
  context.emit({ type: 'warning', message: `shard ${shard.id} was never sent and ${why}: its requests are planned again` });
  return true;
}

/** Stands in for a line's custom_id, so that lines and rendered requests compare by body alone. */
const PLACEHOLDER_ID = 'synthforge-restore';

function bodyHash(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

/**
 * Rebuilds the keys files of round `round`'s shards in `targets` (their request files are there).
 * Candidates are the requests this round could have sent: not in another shard of the round, in a
 * retry round only those the round before left without a final answer, and in round 0 not answered
 * by another run's cache row (planning skipped those, unless the run ignores the cache).
 */
async function rebuildKeys(context: RestoreContext, step: CompiledBatchStep, inputPath: string, round: number, targets: ShardRow[]): Promise<void> {
  const { store } = context;
  const targetIds = new Set(targets.map((shard) => shard.id));
  const others = new KeySet();
  for (const shard of store.shardsOfStep(context.runId, step.step.index)) {
    if (shard.round !== round || shard.status === 'retired' || targetIds.has(shard.id)) continue;
    const keys = readShardKeys(shard.inputPath);
    for (let line = 0; line < lineCount(keys); line++) others.add(keyAt(keys, line));
  }
  const retrying = round > 0 ? retryKeys(store, context.runId, step.step.index, round - 1) : undefined;
  const cache = new CachedAnswers(store);
  const cachedByAnotherRun = (key: string): boolean => {
    if (round > 0 || context.noCache) return false;
    const found = cache.find(key);
    return found !== undefined && found.shard.runId !== context.runId;
  };

  // Body hash → the lines (of every target, in shard then line order) that carry that body.
  const lines = new Map<string, { target: number; line: number }[]>();
  const keys = targets.map((shard) => Buffer.alloc(shard.requestCount * CACHE_KEY_BYTES));
  const unmatched = targets.map((shard) => shard.requestCount);
  targets.forEach((shard, target) => {
    const texts = readFileSync(shard.inputPath, 'utf8').split('\n');
    for (let line = 0; line < shard.requestCount; line++) {
      const body = (texts[line] ?? '').replace(JSON.stringify(customIdOf(shard.id, line)), JSON.stringify(PLACEHOLDER_ID));
      const hash = bodyHash(body);
      const list = lines.get(hash) ?? [];
      list.push({ target, line });
      lines.set(hash, list);
    }
  });
  const seen = new KeySet();
  // repair hook: a retry round's lines were encoded from the repaired request.
  const repairs = await RepairRequests.open(store, context.runId, step, round);
  await forEachRequest(step, inputPath, ({ key, request }) => {
    if (!seen.add(key) || (retrying && !retrying.has(key)) || others.has(key)) return;
    const sent = repairs?.requestFor(key, request) ?? request;
    const list = lines.get(bodyHash(step.capabilities.encodeRequest({ ...sent, customId: PLACEHOLDER_ID })));
    if (!list?.length || cachedByAnotherRun(key)) return;
    const { target, line } = list.shift()!;
    keys[target]!.write(key.slice(0, CACHE_KEY_BYTES * 2), line * CACHE_KEY_BYTES, 'hex');
    unmatched[target]!--;
  });
  repairs?.close();
  targets.forEach((shard, target) => {
    const path = shardKeysPath(shard.inputPath);
    if (unmatched[target]! > 0) {
      if (retire(context, shard, 'its keys file is gone')) return;
      throw new ShardFilesLostError(shard.id, path, `${unmatched[target]} of its ${shard.requestCount} lines match no request of the step input (${basename(inputPath)})`);
    }
    writeAtomically(path, keys[target]!);
    context.emit({ type: 'warning', message: `shard ${shard.id}: its keys file was missing; rebuilt it from its request file` });
  });
}

/** Renders the request files of `targets` (not collected; their keys files are there) again. */
async function renderRequestsAgain(context: RestoreContext, step: CompiledBatchStep, inputPath: string, targets: ShardRow[]): Promise<void> {
  // Cache key → the lines that send it (one per shard: a retry round sends a key again in its own shard).
  const wanted = new Map<string, { target: number; line: number }[]>();
  const lines = targets.map((shard) => Array.from<string | undefined>({ length: shard.requestCount }));
  targets.forEach((shard, target) => {
    const keys = readShardKeys(shard.inputPath);
    for (let line = 0; line < lineCount(keys); line++) {
      const key = keyAt(keys, line);
      wanted.set(key, [...(wanted.get(key) ?? []), { target, line }]);
    }
  });
  // repair hook: a retry round's lines were encoded from the repaired request, by the round before's answers.
  const repairsOfRound = new Map<number, RepairRequests | undefined>();
  for (const round of new Set(targets.map((shard) => shard.round))) repairsOfRound.set(round, await RepairRequests.open(context.store, context.runId, step, round));
  await forEachRequest(step, inputPath, ({ key, request }) => {
    const cacheKey = key.slice(0, CACHE_KEY_BYTES * 2);
    const list = wanted.get(cacheKey);
    if (!list) return;
    // A key that appears twice in the input is one request: the first rendering is the one planned.
    wanted.delete(cacheKey);
    for (const { target, line } of list) {
      const sent = repairsOfRound.get(targets[target]!.round)?.requestFor(key, request) ?? request;
      lines[target]![line] = `${step.capabilities.encodeRequest({ ...sent, customId: customIdOf(targets[target]!.id, line) })}\n`;
    }
  });
  for (const repairs of repairsOfRound.values()) repairs?.close();
  targets.forEach((shard, target) => {
    const text = lines[target]!;
    const complete = text.length === shard.requestCount && text.every((line) => line !== undefined);
    const content = complete ? Buffer.from(text.join('')) : undefined;
    if (content && createHash('sha256').update(content).digest('hex') === shard.inputHash) {
      writeAtomically(shard.inputPath, content);
      context.emit({ type: 'warning', message: `shard ${shard.id}: its request file was missing; rendered it again from ${basename(inputPath)}` });
      return;
    }
    if (retire(context, shard, 'its request file, rendered again, differs from the one planned')) return;
    throw new ShardFilesLostError(shard.id, shard.inputPath, `rendering ${basename(inputPath)} again does not give the requests that were sent (their sha256 differs)`);
  });
}

async function forEachRequest(step: CompiledBatchStep, inputPath: string, visit: (request: RenderedRequest) => void): Promise<void> {
  for await (const record of readRecords(inputPath)) {
    const rendered = renderOrReject(step, record);
    if (Array.isArray(rendered)) for (const request of rendered) visit(request);
  }
}

function writeAtomically(path: string, content: Buffer): void {
  writeFileSync(`${path}.partial`, content);
  renameSync(`${path}.partial`, path);
}
