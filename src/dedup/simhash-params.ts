import { LshParamsError } from './errors.js';

/**
 * Choosing bits per table (b) and tables (L) for random-hyperplane LSH (simhash-lsh.ts).
 *
 * One bit is the side of a random hyperplane through the origin, sign(r · v) with r ~ N(0, I).
 * For two vectors at angle θ = arccos(cos(u, v)), the hyperplane separates them exactly when its
 * trace in their plane falls inside the angle, so (Goemans & Williamson 1995; Charikar 2002)
 *
 *     P[bit equal] = p(cos) = 1 − θ/π                      (cos 0.95 → p = 0.899; cos 0 → p = 1/2)
 *
 * whatever the dimension and whatever the other vectors look like. A table concatenates b
 * independent bits, so a pair shares a bucket in one table with probability p^b, and with L
 * independent tables it becomes a candidate with
 *
 *     P(cos) = 1 − (1 − p(cos)^b)^L
 *
 * P rises with cos, so the recall of the index on pairs at cos ≥ threshold t is at least P(t). The
 * rule picks, for each b, the fewest tables L(b) with P(t) ≥ DESIGN_RECALL = 0.97 (a margin over
 * the 0.95 asked for, since a true pair exactly at t is the worst case), and keeps the b whose
 * work per query is smallest at a design size of N = 100,000 indexed vectors:
 *
 *     work(b) = L·b                   projections (b·L dot products of length d)
 *             + L · N · (1/2)^b       verifications of unrelated vectors (cos ≈ 0 collides with 1/2 per bit)
 *
 * At t = 0.95 that gives 14 bits × 14 tables (P(0.95) = 0.972; an unrelated vector becomes a
 * candidate with probability ≈ 14 · 2⁻¹⁴ ≈ 0.09%, work ≈ 281 dot products against 100,000 for an
 * exact scan). Real embeddings are anisotropic (unrelated texts often sit at cos 0.1–0.4), which
 * fills buckets and costs verifications but cannot lower recall: P depends only on the pair's own
 * cosine. At low thresholds hyperplanes separate little (t = 0.6: 8 bits × 56 tables, work ≈ 22,000),
 * so `index: auto` uses LSH only when work ≤ DESIGN_INDEX_SIZE / MIN_AUTO_SPEEDUP (t ≳ 0.7) and stays
 * exact otherwise; `index: lsh` uses the chosen shape whatever the threshold.
 *
 * Explicit settings win: bits and tables as given; bits alone → the fewest tables reaching
 * DESIGN_RECALL; tables alone → the most bits that still reach it.
 */

export const DESIGN_RECALL = 0.97;
export const DESIGN_INDEX_SIZE = 100_000;
export const MAX_AUTO_TABLES = 64;
/** `index: auto` switches to LSH only if it is at least this many times cheaper than an exact scan at the design size. */
export const MIN_AUTO_SPEEDUP = 10;
/** A table's code is a non-negative int32. */
export const MAX_SIMHASH_BITS = 30;
export const MAX_SIMHASH_TABLES = 512;

export interface SimHashParams {
  bits: number;
  tables: number;
  source: 'explicit' | 'chosen';
  /** P(candidate) at the threshold: the index's recall on pairs exactly at it. */
  recallAtThreshold: number;
}

/** p(cos) = 1 − arccos(cos)/π: one random hyperplane puts both vectors on the same side. */
export function hyperplaneCollisionProbability(cosine: number): number {
  return 1 - Math.acos(Math.min(1, Math.max(-1, cosine))) / Math.PI;
}

/** P(cos) = 1 − (1 − p^b)^L: the pair shares a bucket in at least one of L tables of b bits. */
export function simhashCandidateProbability(cosine: number, bits: number, tables: number): number {
  return 1 - Math.pow(1 - Math.pow(hyperplaneCollisionProbability(cosine), bits), tables);
}

/** The fewest tables with P(threshold) ≥ recall for `bits` bits per table. */
export function tablesForRecall(threshold: number, bits: number, recall = DESIGN_RECALL): number {
  const perTable = Math.pow(hyperplaneCollisionProbability(threshold), bits);
  if (perTable >= 1) return 1;
  return Math.max(1, Math.ceil(Math.log(1 - recall) / Math.log(1 - perTable)));
}

/** Expected work per query in units of one length-d dot product (see the file comment). */
export function simhashWork(bits: number, tables: number, indexSize = DESIGN_INDEX_SIZE): number {
  return tables * bits + tables * indexSize * Math.pow(0.5, bits);
}

/** Whether LSH with these parameters is worth leaving the exact scan for (`index: auto`). */
export function simhashPaysOff(params: Pick<SimHashParams, 'bits' | 'tables'>): boolean {
  return simhashWork(params.bits, params.tables) * MIN_AUTO_SPEEDUP <= DESIGN_INDEX_SIZE;
}

/** Bits and tables for a threshold; undefined when the rule would need more than MAX_AUTO_TABLES. */
export function chooseSimHashParams(request: { threshold: number; bits?: number; tables?: number }): SimHashParams | undefined {
  const { threshold } = request;
  if (request.bits !== undefined || request.tables !== undefined) return explicitParams({ ...request });
  let best: { bits: number; tables: number; work: number } | undefined;
  for (let bits = 1; bits <= MAX_SIMHASH_BITS; bits++) {
    const tables = tablesForRecall(threshold, bits);
    if (tables > MAX_AUTO_TABLES) continue;
    const work = simhashWork(bits, tables);
    if (best === undefined || work < best.work) best = { bits, tables, work };
  }
  if (best === undefined) return undefined;
  return { bits: best.bits, tables: best.tables, source: 'chosen', recallAtThreshold: simhashCandidateProbability(threshold, best.bits, best.tables) };
}

function explicitParams(request: { threshold: number; bits?: number; tables?: number }): SimHashParams {
  const { threshold } = request;
  let bits = request.bits;
  let tables = request.tables;
  if (bits === undefined) {
    bits = 1;
    while (bits < MAX_SIMHASH_BITS && simhashCandidateProbability(threshold, bits + 1, tables!) >= DESIGN_RECALL) bits++;
  }
  if (tables === undefined) {
    tables = tablesForRecall(threshold, bits);
    if (tables > MAX_SIMHASH_TABLES) {
      throw new LshParamsError(
        `semantic LSH with ${bits} bits per table needs ${tables} tables for recall ${DESIGN_RECALL} at cosine ${threshold} ` +
          `(at most ${MAX_SIMHASH_TABLES}): use fewer bits, or index: exact`,
        { threshold, bits, tables },
      );
    }
  }
  return { bits, tables, source: 'explicit', recallAtThreshold: simhashCandidateProbability(threshold, bits, tables) };
}
