import { LshParamsError } from './errors.js';

/**
 * Choosing LSH bands × rows (Mining of Massive Datasets ch. 3.4).
 *
 * The K signature slots are cut into b bands of r rows (b·r ≤ K). Two documents become candidates
 * when all r slots of at least one band are equal; for Jaccard similarity s that happens with
 *     P(s) = 1 − (1 − s^r)^b                       (the S-curve)
 * whose steepest point, the knee, is near (1/b)^(1/r).
 *
 * Its two error areas, relative to the threshold t:
 *     false positives  FP(t) = ∫₀ᵗ P(s) ds         pairs below t that still become candidates
 *     false negatives  FN(t) = ∫ₜ¹ (1 − P(s)) ds   pairs at or above t that are never compared
 * Candidates are verified by exact Jaccard, so false positives cost only verification time, while a
 * false negative is a duplicate that nothing can recover. So we do NOT minimise a weighted sum of the
 * two as datasketch's optimiser does: at t = 0.8 and K = 128 its optimum is 9 × 13 (knee 0.844),
 * which lost ≈ 15% of recall in our measurements.
 *
 * The rule, at K = 128 (band counts scale with K/128, rows stay):
 *   - explicit bands and/or rows in the spec win (one alone: the other is ⌊K / given⌋);
 *   - STANDARD 16 × 8 (knee 0.707; P(0.8) = 0.947, P(0.5) = 0.061; measured recall 0.993 at J ≥ 0.8);
 *   - HIGH_RECALL 20 × 6 (knee 0.607; P(0.8) = 0.998, P(0.7) = 0.918; measured recall 0.9997, at
 *     28% more candidates), used when asked for high recall or when 16 × 8 is too steep for t;
 *   - a preset is used only if P(t) ≥ MIN_RECALL_AT_THRESHOLD = 0.9, so 16 × 8 serves t ≥ 0.778 and
 *     20 × 6 serves t ≥ 0.691; below that, the largest r (fewest false positives) with b = ⌊K/r⌋
 *     whose P(t) ≥ 0.9 (t = 0.6 → 32 × 4, t = 0.5 → 42 × 3).
 */

export const MIN_RECALL_AT_THRESHOLD = 0.9;
const REFERENCE_NUM_PERM = 128;
const STANDARD = { bands: 16, rows: 8 };
const HIGH_RECALL = { bands: 20, rows: 6 };
const INTEGRATION_STEPS = 1000;

export interface LshParams {
  bands: number;
  rows: number;
  /** Where the pair came from, for the manifest and for diagnostics. */
  source: 'explicit' | 'standard' | 'high-recall' | 'search';
}

export interface LshParamsRequest {
  threshold: number;
  numPerm: number;
  highRecall?: boolean;
  bands?: number;
  rows?: number;
}

/** P(candidate | Jaccard s) = 1 − (1 − s^r)^b. */
export function candidateProbability(similarity: number, bands: number, rows: number): number {
  return 1 - Math.pow(1 - Math.pow(similarity, rows), bands);
}

/** The approximate similarity where the S-curve is steepest: (1/b)^(1/r). */
export function sCurveKnee(bands: number, rows: number): number {
  return Math.pow(1 / bands, 1 / rows);
}

/** FP(t) = ∫₀ᵗ P(s) ds: the weight of pairs below the threshold that become candidates. */
export function falsePositiveProbability(threshold: number, bands: number, rows: number): number {
  return integrate((s) => candidateProbability(s, bands, rows), 0, threshold);
}

/** FN(t) = ∫ₜ¹ (1 − P(s)) ds: the weight of pairs at or above the threshold that are missed. */
export function falseNegativeProbability(threshold: number, bands: number, rows: number): number {
  return integrate((s) => 1 - candidateProbability(s, bands, rows), threshold, 1);
}

/** Composite Simpson's rule; the integrands are smooth polynomials, 1000 steps give ~1e-12. */
function integrate(f: (x: number) => number, from: number, to: number): number {
  if (to <= from) return 0;
  const step = (to - from) / INTEGRATION_STEPS;
  let sum = f(from) + f(to);
  for (let index = 1; index < INTEGRATION_STEPS; index++) sum += f(from + index * step) * (index % 2 === 1 ? 4 : 2);
  return (sum * step) / 3;
}

/** Bands × rows for a threshold and signature size, by the rule in the file comment. */
export function chooseLshParams(request: LshParamsRequest): LshParams {
  const { threshold, numPerm } = request;
  if (request.bands !== undefined || request.rows !== undefined) return explicitParams(request);

  const presets = request.highRecall ? [HIGH_RECALL] : [STANDARD, HIGH_RECALL];
  for (const preset of presets) {
    const rows = preset.rows;
    const bands = Math.min(Math.max(1, Math.round((preset.bands * numPerm) / REFERENCE_NUM_PERM)), Math.floor(numPerm / rows));
    if (bands >= 1 && candidateProbability(threshold, bands, rows) >= MIN_RECALL_AT_THRESHOLD) {
      return { bands, rows, source: preset === STANDARD ? 'standard' : 'high-recall' };
    }
  }
  for (let rows = numPerm; rows >= 1; rows--) {
    const bands = Math.floor(numPerm / rows);
    if (candidateProbability(threshold, bands, rows) >= MIN_RECALL_AT_THRESHOLD) return { bands, rows, source: 'search' };
  }
  return { bands: numPerm, rows: 1, source: 'search' };
}

function explicitParams(request: LshParamsRequest): LshParams {
  const { numPerm } = request;
  const bands = request.bands ?? Math.floor(numPerm / request.rows!);
  const rows = request.rows ?? Math.floor(numPerm / request.bands!);
  if (!Number.isInteger(bands) || !Number.isInteger(rows) || bands < 1 || rows < 1) {
    throw new LshParamsError(`bands (${bands}) and rows (${rows}) must be positive integers with bands × rows ≤ num_perm (${numPerm})`, {
      bands,
      rows,
      numPerm,
    });
  }
  if (bands * rows > numPerm) {
    throw new LshParamsError(
      `bands × rows = ${bands} × ${rows} = ${bands * rows} exceeds num_perm ${numPerm}: ` +
        `lower bands or rows, or raise num_perm to at least ${bands * rows}`,
      { bands, rows, numPerm },
    );
  }
  return { bands, rows, source: 'explicit' };
}
