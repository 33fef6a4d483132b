/**
 * How `max_index_mb` is shared between the parts of the dedup index that grow per document.
 * Fixed shares rather than one pool: each part spills on its own (shingle-arena.ts, tiered-lsh.ts,
 * tiered-exact-table.ts, id-column.ts, vector-store.ts), in threads that do not share memory (the
 * band tables may live in worker partitions), and the same cap gives the same spill points on every
 * run. Measured at 1M documents of ≈ 150 words, per document: shingles ≈ 585 B, band tables
 * ≈ 330 B (230–400 B since their load limit went from 1/2 to 3/4; the shares were kept, so spill
 * points only moved later), exact keys ≈ 24–48 B, ids ≈ 40 B, so the shingles and the band tables
 * get most of the text share.
 *
 * Semantic dedup's kept vectors (4 bytes × dimensions each: 1 KiB at 256, 6 KiB at 1536) get the
 * whole cap in a step without near dedup, and half of it beside near dedup (the text parts then
 * share the other half in the proportions above): per record both sides are of the same order at
 * 256 dimensions, and halves keep each side's spill point independent of the other's data.
 */
export interface IndexBudget {
  shingleBytes: number;
  /** For all band tables together; a partition gets its share of the bands. */
  lshBytes: number;
  exactBytes: number;
  idBytes: number;
  /** Semantic dedup's kept vectors (0 when the step has no semantic dedup). */
  vectorBytes: number;
}

/** Which indexes share the cap: `near` (the text shares) and `semantic` (the vectors). */
export interface IndexParts {
  near: boolean;
  semantic: boolean;
}

export function indexBudget(maxIndexBytes: number | undefined, parts: IndexParts = { near: true, semantic: false }): IndexBudget {
  const total = maxIndexBytes ?? Number.POSITIVE_INFINITY;
  const vectorBytes = !parts.semantic ? 0 : parts.near ? total / 2 : total;
  const text = parts.semantic && parts.near ? total / 2 : total;
  return { shingleBytes: text / 2, lshBytes: (text * 3) / 8, exactBytes: text / 16, idBytes: text / 16, vectorBytes };
}
