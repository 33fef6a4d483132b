import { generateCorpus, groundTruthPairs, trueDuplicates, type CorpusDocument } from '../../bench/synthetic-corpus.js';
import { parseDedupSpec, type DedupSpecInput } from '../../src/dedup/dedup-spec.js';

/** Shared, deterministic inputs for the dedup tests. */

export function specOf(input: Partial<DedupSpecInput> = {}): ReturnType<typeof parseDedupSpec> {
  return parseDedupSpec({ fields: ['text'], ...input });
}

export const nearSpec = specOf({ near: { threshold: 0.8 } });

let cached: { documents: CorpusDocument[]; duplicates: Set<number> } | undefined;

/** 3000 documents with planted near-duplicates and the ones a perfect deduper drops at 0.8. */
export function plantedCorpus(): { documents: CorpusDocument[]; duplicates: Set<number> } {
  if (cached === undefined) {
    const documents = [...generateCorpus({ documents: 3000, seed: 7, window: 300 })];
    cached = { documents, duplicates: trueDuplicates(groundTruthPairs(documents), 0.8) };
  }
  return cached;
}

/** A distinct lowercase word for each integer (no digits, so digit folding leaves it alone). */
export function wordOf(index: number): string {
  let word = '';
  let rest = index;
  do {
    word = String.fromCharCode(97 + (rest % 26)) + word;
    rest = Math.floor(rest / 26);
  } while (rest > 0);
  return `w${word}`;
}

export function wordsText(indices: readonly number[]): string {
  return indices.map(wordOf).join(' ');
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, offset) => from + offset);
}

export async function* asyncOf<T>(items: Iterable<T>): AsyncIterable<T> {
  for (const item of items) yield item;
}
