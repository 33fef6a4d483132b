import type { VectorStore } from './vector-store.js';

/**
 * Exact cosine search: the best match of a query among stored unit vectors is found by scoring
 * every one of them,
 *
 *     best(q) = argmax_{i ∈ [from, to)} q · vᵢ        (the earliest i on ties)
 *
 * which costs (to − from) · d multiply-adds per query and has recall 1 by construction. It is the
 * reference the LSH index (simhash-lsh.ts) is measured against, and what `index: exact` and the
 * first SEMANTIC_AUTO_LSH_ABOVE vectors of `index: auto` use.
 *
 * Queries come in batches (semantic-index.ts): the vectors stored before the batch are scanned
 * once per batch, each tile scored for four queries at a time (the dots4 kernel reads each stored
 * vector once per four queries, ≈ 2× the throughput of one query at a time); each
 * query is then compared one at a time with the vectors its batch added before it. Every pair gets
 * the same float32 value either way (wasm/cosine-wasm.wat), so batching never changes a verdict.
 */

/**
 * For query q < queryCount (packed `stride` floats apart in `queries`), raises
 * `bestSimilarity[q]` / `bestIndex[q]` to the best match in [from, to) when it is strictly higher
 * (so with increasing ranges, the earliest vector wins ties). Returns the pairs scored.
 *
 * Tiles are the outer loop, so each stored vector is fetched once per batch (from memory, or read
 * back once from the spill file, vector-store.ts) while the tile stays in cache for all the
 * batch's queries; each query still sees the tiles in increasing order, so ties resolve as before.
 */
export function scanBestMatches(
  store: VectorStore,
  queries: Float32Array,
  queryCount: number,
  from: number,
  to: number,
  bestIndex: Int32Array,
  bestSimilarity: Float64Array,
): number {
  if (to <= from || queryCount === 0) return 0;
  const stride = store.stride;
  const grouped = queryCount - (queryCount % 4);
  store.forEachTile(from, to, (block, offset, count, firstIndex) => {
    for (let first = 0; first < grouped; first += 4) {
      const scores = block.dots4(queries.subarray(first * stride, (first + 4) * stride), offset, count);
      for (let j = 0; j < 4; j++) raiseBest(scores, j * count, count, first + j, firstIndex, bestIndex, bestSimilarity);
    }
    for (let query = grouped; query < queryCount; query++) {
      raiseBest(block.dots(queries.subarray(query * stride, (query + 1) * stride), offset, count), 0, count, query, firstIndex, bestIndex, bestSimilarity);
    }
  });
  return (to - from) * queryCount;
}

/** Raises query `slot`'s best to the highest of `scores[base, base + count)` when strictly higher. */
function raiseBest(scores: Float32Array, base: number, count: number, slot: number, firstIndex: number, bestIndex: Int32Array, bestSimilarity: Float64Array): void {
  let best = bestSimilarity[slot]!;
  let index = -1;
  for (let v = 0; v < count; v++) {
    const score = scores[base + v]!;
    if (score > best) {
      best = score;
      index = v;
    }
  }
  if (index >= 0) {
    bestSimilarity[slot] = best;
    bestIndex[slot] = firstIndex + index;
  }
}
