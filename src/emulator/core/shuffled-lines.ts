/**
 * Reads staged lines back sorted by a seeded key, in bounded memory. Lines are first spread over buckets by
 * key range (bucket = floor(key × K), K sized so a bucket holds about BUCKET_BYTES), then each bucket is
 * loaded, sorted and emitted in turn: the result is exactly the lines in key order, with at most one bucket
 * in memory.
 */
import { rm, stat } from 'node:fs/promises';
import { LineWriter } from './line-writer.js';
import { parseStagedLine, readStagedLines, type StagedLine } from './staged-results.js';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const BUCKET_BYTES = 8 * 1024 * 1024;

async function* readRawLines(path: string): AsyncGenerator<string> {
  for await (const line of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    if (line.length > 0) yield line;
  }
}

/**
 * `items` sorted by `key`; when that happens to leave two or more items in their original order, the first
 * moves to the end, so a client can never get results in input order by luck (a 2-line batch would, half
 * the time).
 */
export function shuffleByKey<T>(items: readonly T[], key: (item: T) => number): T[] {
  const sorted = items
    .map((item, index) => ({ item, index, order: key(item) }))
    .sort((left, right) => left.order - right.order || left.index - right.index);
  if (sorted.length > 1 && sorted.every((entry, position) => entry.index === position)) {
    const first = sorted.shift();
    if (first) sorted.push(first);
  }
  return sorted.map(({ item }) => item);
}

function sortedByKey(lines: StagedLine[], key: (customId: string) => number): StagedLine[] {
  return shuffleByKey(lines, (line) => key(line.customId));
}

/** `key` maps a custom_id to [0, 1); `tempPath` names scratch files (removed before returning). */
export async function* readStagedShuffled(
  path: string,
  key: (customId: string) => number,
  tempPath: () => string,
): AsyncGenerator<StagedLine> {
  const { size } = await stat(path);
  const bucketCount = Math.max(1, Math.ceil(size / BUCKET_BYTES));
  if (bucketCount === 1) {
    const lines: StagedLine[] = [];
    for await (const line of readStagedLines(path)) lines.push(line);
    yield* sortedByKey(lines, key);
    return;
  }
  const buckets = Array.from({ length: bucketCount }, () => ({ path: tempPath(), writer: null as LineWriter | null }));
  try {
    for (const bucket of buckets) bucket.writer = new LineWriter(bucket.path);
    for await (const text of readRawLines(path)) {
      const staged = parseStagedLine(text);
      const index = Math.min(bucketCount - 1, Math.floor(key(staged.customId) * bucketCount));
      await buckets[index]?.writer?.write(text);
    }
    for (const bucket of buckets) await bucket.writer?.close();
    for (const bucket of buckets) {
      const lines: StagedLine[] = [];
      for await (const line of readStagedLines(bucket.path)) lines.push(line);
      await rm(bucket.path, { force: true });
      yield* sortedByKey(lines, key);
    }
  } finally {
    for (const bucket of buckets) await rm(bucket.path, { force: true });
  }
}
