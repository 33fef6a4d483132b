/**
 * What collecting a shard writes and counts while its results are judged (shard-lifecycle.ts
 * `collectShard`): each judged line goes to the shard's answers or invalid file (under a temporary
 * name until `close`) and is booked in flat arrays (`CollectedLines`): its outcome, where its answer
 * lies, its tokens. Lines judged here come one at a time (`take`); lines judged on collect threads a
 * batch at a time, their bytes already encoded (`takeBatch`).
 */
import { rename } from 'node:fs/promises';
import type { ProviderErrorInfo } from '../providers/batch-provider.js';
import { JsonlFileWriter } from '../dataset/jsonl-file-writer.js';
import type { ShardRow } from '../store/run-store.js';
import { FINAL_OUTCOME_BIT, RESPONSE_OUTCOMES, type ResponseOutcome } from '../store/store-schema.js';
import { HAS_USAGE, RETRYABLE, type JudgedBatch } from './collect-pool.js';
import type { Verdict } from './judge-result.js';
import type { ShardAnswers } from './shard-commit.js';
import { shardAnswersPath, shardInvalidPath, writeAnswerPositions, type AnswerPositions } from './shard-files.js';

export interface UsageTotals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
}

const OUTCOME_CODE = new Map<ResponseOutcome, number>(RESPONSE_OUTCOMES.map((outcome, code) => [outcome, code]));
const VALID_CODE = OUTCOME_CODE.get('valid')!;

export class ShardBook {
  readonly usage: UsageTotals = { requests: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  readonly tally = { results: 0, valid: 0, invalid: 0 };
  /** The first line the provider refused the key for: every other request would be refused the same way. */
  refused: ProviderErrorInfo | undefined;
  private readonly answers: LineFileWriter;
  private readonly invalid: LineFileWriter;

  constructor(
    shard: ShardRow,
    readonly collected: CollectedLines,
  ) {
    this.answers = new LineFileWriter(`${shardAnswersPath(shard.inputPath)}.partial`);
    this.invalid = new LineFileWriter(`${shardInvalidPath(shard.inputPath)}.partial`);
  }

  /** Files and books one judged line, in the order results arrive; a promise only when a write waits for the disk. */
  readonly take = (line: number, verdict: Verdict): Promise<void> | undefined => {
    const { answers, collected, tally } = this;
    const { usage: used } = verdict;
    if (used) addUsage(this.usage, used.inputTokens, used.outputTokens, used.cachedInputTokens ?? 0);
    if (verdict.outcome === 'valid') {
      tally.valid++;
      const offset = answers.bytes;
      const pending = answers.write(verdict.text);
      const book = (): void => collected.valid(line, offset, answers.bytes - offset - 1, used?.inputTokens ?? 0, used?.outputTokens ?? 0, used?.cachedInputTokens ?? 0);
      if (pending) return pending.then(book);
      book();
      return undefined;
    }
    if (verdict.authError) this.refused ??= verdict.authError;
    collected.invalid(line, OUTCOME_CODE.get(verdict.outcome)!, verdict.retryable);
    tally.invalid++;
    return this.invalid.write(verdict.text);
  };

  /**
   * `take` for a batch judged on a thread, with no object or string per line: each line `counts`
   * admits is booked from the batch's columns, and the bytes the thread encoded are copied into the
   * files a run of lines at a time (a run ends only at a line not taken: a repeated delivery).
   */
  readonly takeBatch = async (batch: JudgedBatch, counts: (line: number) => boolean): Promise<void> => {
    const { collected, tally } = this;
    const valid = new LineRuns(this.answers, batch.answers);
    const rejected = new LineRuns(this.invalid, batch.invalid);
    const { lines, outcomes, flags, sizes, usage: tokens } = batch;
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index]!;
      if (line < 0) continue;
      const size = sizes[index]!;
      const runs = outcomes[index] === VALID_CODE ? valid : rejected;
      if (!counts(line)) {
        const pending = runs.skip(size);
        if (pending) await pending;
        continue;
      }
      const hasUsage = (flags[index]! & HAS_USAGE) !== 0;
      if (hasUsage) addUsage(this.usage, tokens[index * 3]!, tokens[index * 3 + 1]!, tokens[index * 3 + 2]!);
      if (runs === valid) {
        tally.valid++;
        const offset = valid.add(size);
        if (hasUsage) collected.valid(line, offset, size - 1, tokens[index * 3]!, tokens[index * 3 + 1]!, tokens[index * 3 + 2]!);
        else collected.valid(line, offset, size - 1, 0, 0, 0);
        continue;
      }
      if (batch.authErrors) this.refused ??= batch.authErrors.find((entry) => entry.index === index)?.error;
      collected.invalid(line, outcomes[index]!, (flags[index]! & RETRYABLE) !== 0);
      tally.invalid++;
      rejected.add(size);
    }
    const pending = valid.flush();
    if (pending) await pending;
    await rejected.flush();
  };

  /** Books every line no result came for as `missing`, with `reason`; returns how many. */
  async missing(reason: string, retryable: boolean): Promise<number> {
    const missing = this.collected.unseenLines();
    for (const line of missing) {
      this.collected.invalid(line, OUTCOME_CODE.get('missing')!, retryable);
      await this.invalid.write(JSON.stringify({ line, outcome: 'missing', reason }));
    }
    return missing.length;
  }

  /** Writes the positions file, then puts the answers and invalid files in place. */
  async close(inputPath: string): Promise<void> {
    // Before the answers file: a positions file lies next to an answers file only once it is complete.
    await writeAnswerPositions(inputPath, this.collected.positions);
    await this.answers.close(shardAnswersPath(inputPath));
    await this.invalid.close(shardInvalidPath(inputPath));
  }
}

/** What collecting learnt about each line of a shard, in flat arrays (a shard has up to 100,000 lines). */
export class CollectedLines {
  readonly outcomes: Uint8Array;
  private readonly seenLines: Uint8Array;
  private readonly offsets: Float64Array;
  private readonly sizes: Uint32Array;
  /** Input, output and cached input tokens of each valid line. */
  private readonly tokens: Float64Array;
  private readonly attempt: number;

  constructor(
    private readonly shard: ShardRow,
    readonly lines: number,
    private readonly maxAttempts: number,
  ) {
    this.outcomes = new Uint8Array(lines);
    this.seenLines = new Uint8Array(lines);
    this.offsets = new Float64Array(lines).fill(-1);
    this.sizes = new Uint32Array(lines);
    this.tokens = new Float64Array(lines * 3);
    // A request is in exactly one shard per round it was sent in, so its attempt is the round's number + 1.
    this.attempt = shard.round + 1;
  }

  seen(line: number): boolean {
    if (this.seenLines[line]) return true;
    this.seenLines[line] = 1;
    return false;
  }

  valid(line: number, offset: number, bytes: number, inputTokens: number, outputTokens: number, cachedInputTokens: number): void {
    this.outcomes[line] = VALID_CODE | FINAL_OUTCOME_BIT;
    this.offsets[line] = offset;
    this.sizes[line] = bytes;
    this.tokens[line * 3] = inputTokens;
    this.tokens[line * 3 + 1] = outputTokens;
    this.tokens[line * 3 + 2] = cachedInputTokens;
  }

  /** `code`: the outcome's index in RESPONSE_OUTCOMES. */
  invalid(line: number, code: number, retryable: boolean): void {
    const final = !retryable || this.attempt >= this.maxAttempts;
    this.outcomes[line] = code | (final ? FINAL_OUTCOME_BIT : 0);
  }

  unseenLines(): number[] {
    const lines: number[] = [];
    for (let line = 0; line < this.lines; line++) if (!this.seenLines[line]) lines.push(line);
    return lines;
  }

  /** Where each line's valid answer lies in the answers file (what `forEachValidAnswer` stores). */
  get positions(): AnswerPositions {
    return { offsets: this.offsets, sizes: this.sizes };
  }

  /** The cache rows' columns (shard-commit.ts `forEachValidAnswer`). */
  get answers(): ShardAnswers {
    return { shardSeq: this.shard.seq, attempt: this.attempt, offsets: this.offsets, sizes: this.sizes, tokens: this.tokens };
  }
}

/**
 * Appends lines to a file under a temporary name, counting bytes; `close` renames it into place.
 * Lines are encoded straight into the dataset writer's chunks: one stream write per chunk, and no
 * joined string to encode.
 */
class LineFileWriter {
  private readonly writer: JsonlFileWriter;

  constructor(private readonly temporaryPath: string) {
    this.writer = new JsonlFileWriter(temporaryPath, { digest: false });
  }

  /** Where the next line starts. */
  get bytes(): number {
    return this.writer.written;
  }

  /** Writes lines already encoded, newlines included: `bytes[start, end)`; a promise as `write` gives one. */
  writeBytes(bytes: Uint8Array, start: number, end: number): Promise<void> | undefined {
    return this.writer.writeBytes(bytes, start, end);
  }

  /** Writes `text` and a newline; a promise only when a full chunk has to wait for the disk (skip the await otherwise). */
  write(text: string): Promise<void> | undefined {
    const pending = this.writer.write(text);
    return pending ? pending.then(() => this.writer.write('\n')) : this.writer.write('\n');
  }

  async close(finalPath: string): Promise<void> {
    await this.writer.close();
    await rename(this.temporaryPath, finalPath);
  }
}

/**
 * A judged batch's lines of one kind (its `answers` or `invalid` bytes) copied into their file by
 * runs: `add` takes the next line and says where it will start in the file, `skip` leaves the next
 * line out (ending the run), `flush` copies the run. A promise only when the writer waits for the disk.
 */
class LineRuns {
  /** Where the run starts in `bytes`, and where it ends (the next line's start). */
  private start = 0;
  private end = 0;

  constructor(
    private readonly file: LineFileWriter,
    private readonly bytes: Uint8Array,
  ) {}

  add(size: number): number {
    const offset = this.file.bytes + this.end - this.start;
    this.end += size;
    return offset;
  }

  skip(size: number): Promise<void> | undefined {
    const pending = this.flush();
    this.start = this.end += size;
    return pending;
  }

  flush(): Promise<void> | undefined {
    if (this.end === this.start) return undefined;
    const pending = this.file.writeBytes(this.bytes, this.start, this.end);
    this.start = this.end;
    return pending;
  }
}

function addUsage(totals: UsageTotals, inputTokens: number, outputTokens: number, cachedInputTokens: number): void {
  totals.requests++;
  totals.inputTokens += inputTokens;
  totals.outputTokens += outputTokens;
  totals.cachedInputTokens += cachedInputTokens;
}
