/**
 * Staged results: every line of a batch, answered, in the order the job ran them (Anthropic: already the
 * seeded result order; OpenAI lines are sorted into it when the batch ends; Gemini keeps input order),
 * written while the batch is "in progress". When the batch ends, finishing reads this file once and writes
 * the final files, replacing the lines that did not get to run (expiry, cancellation) with their provider's
 * marker line.
 *
 * Format per line: `o|e \t applied-fault \t input-tokens \t output-tokens \t JSON(custom_id) \t final-line`.
 */
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { RecordFolder } from './data-store.js';
import type { EmulatorContext } from './emulator-context.js';
import { addFaultTally, type FaultTally } from './emulator-stats.js';
import { LineWriter } from './line-writer.js';
import type { AppliedFault } from './responder.js';

export type StagedFault = AppliedFault | 'line_error';

export interface StagedLine {
  /** True for a success line (OpenAI output file / Anthropic `succeeded`). */
  ok: boolean;
  applied: StagedFault;
  inputTokens: number;
  outputTokens: number;
  customId: string;
  line: string;
}

export function formatStagedLine(staged: StagedLine): string {
  return [
    staged.ok ? 'o' : 'e',
    staged.applied,
    staged.inputTokens,
    staged.outputTokens,
    JSON.stringify(staged.customId),
    staged.line,
  ].join('\t');
}

function parseStagedLine(text: string): StagedLine {
  const fields: string[] = [];
  let start = 0;
  for (let count = 0; count < 5; count++) {
    const tab = text.indexOf('\t', start);
    fields.push(text.slice(start, tab));
    start = tab + 1;
  }
  return {
    ok: fields[0] === 'o',
    applied: fields[1] as StagedFault,
    inputTokens: Number(fields[2]),
    outputTokens: Number(fields[3]),
    customId: JSON.parse(fields[4] ?? '""') as string,
    line: text.slice(start),
  };
}

export async function* readStagedLines(path: string): AsyncGenerator<StagedLine> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line.length > 0) yield parseStagedLine(line);
}

const TALLY_KEY: Readonly<Record<StagedFault, keyof FaultTally | null>> = {
  none: null,
  line_error: 'lineError',
  refusal: 'refusal',
  truncation: 'truncation',
  malformed_json: 'malformedJson',
  schema_invalid: 'schemaInvalid',
  near_duplicate: 'nearDuplicate',
  max_tokens: 'maxTokensCutoff',
  repair_valid: 'repairValid',
  repair_invalid: 'repairInvalid',
};

export function countFault(tally: FaultTally, applied: StagedFault): void {
  const key = TALLY_KEY[applied];
  if (key) tally[key]++;
}

/**
 * Reading staged lines back sorted by a seeded key, in bounded memory. Lines are first spread over buckets by
 * key range (bucket = floor(key × K), K sized so a bucket holds about BUCKET_BYTES), then each bucket is
 * loaded, sorted and emitted in turn: the result is exactly the lines in key order, with at most one bucket
 * in memory.
 */
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

/**
 * Ends a batch exactly once, however many reads ask for its results at the same time: write the
 * final output, persist the record, drop the staged answers, count the faults it carried.
 */
export async function finishBatchOnce(
  context: EmulatorContext,
  record: { id: string; final?: { faults?: Partial<FaultTally> } | null | undefined },
  options: { folder: RecordFolder; stagedPath: string; write: () => Promise<void> },
): Promise<void> {
  if (record.final) return;
  let pending = context.finishing.get(record.id);
  if (!pending) {
    pending = (async () => {
      await options.write();
      await context.save(options.folder, record);
      await rm(options.stagedPath, { force: true });
      addFaultTally(context.stats.faultsInjected, record.final?.faults ?? {});
    })().finally(() => context.finishing.delete(record.id));
    context.finishing.set(record.id, pending);
  }
  await pending;
}
