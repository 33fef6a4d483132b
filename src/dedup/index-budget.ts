/**
 * How `max_index_mb` is shared between the parts of the text dedup index that grow per document.
 * Fixed shares rather than one pool: each part spills on its own (shingle-arena.ts, tiered-lsh.ts,
 * tiered-exact-table.ts, id-column.ts), in threads that do not share memory (the band tables may
 * live in worker partitions), and the same cap gives the same spill points on every run. Measured at
 * 1M documents of ≈ 150 words, per document: shingles ≈ 585 B, band tables ≈ 330 B, exact keys
 * ≈ 24–48 B, ids ≈ 40 B, so the shingles and the band tables get most of it.
 */
export interface IndexBudget {
  shingleBytes: number;
  /** For all band tables together; a partition gets its share of the bands. */
  lshBytes: number;
  exactBytes: number;
  idBytes: number;
}

export function indexBudget(maxIndexBytes: number | undefined): IndexBudget {
  const total = maxIndexBytes ?? Number.POSITIVE_INFINITY;
  return { shingleBytes: total / 2, lshBytes: (total * 3) / 8, exactBytes: total / 16, idBytes: total / 16 };
}
