/** Where a run keeps its files, and the stage files that carry records from one step to the next. */
import { join } from 'node:path';
import { closeSync, createWriteStream, existsSync, openSync, readSync, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { DataRecord } from '../domain.js';
import { readFileLineBytes, readFileLines, splitLines } from '../dataset/read-file-lines.js';
import { rejectionExample, StepRejects } from './step-rejects.js';
import type { StageTap } from './stage-tap.js';
import { failpoint, failpointArmed } from './failpoints.js';

/**
 * Buffer of the engine's file streams. Node's defaults (16 KiB written, 64 KiB read) make a stream
 * wait for the disk every few dozen lines.
 */
export const STREAM_CHUNK_BYTES = 1 << 20;

/** Where a run keeps its files under the state directory. */
export function runDirectory(stateDir: string, runId: string): string {
  return join(stateDir, 'runs', runId);
}

/** The records entering step `index` (stage 0 = the seeds). */
export function stagePath(runDir: string, index: number): string {
  return join(runDir, `stage-${String(index).padStart(2, '0')}.jsonl`);
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `run-${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}

/**
 * Stage files: the records between two steps, one JSON object per line. Each step reads the previous
 * stage's file as a stream and writes its own, so memory does not grow with the dataset, and a
 * finished stage (its file renamed into place) is never recomputed on resume.
 */

export function readRecords(path: string): AsyncIterable<DataRecord> {
  return readJsonLines<DataRecord>(path);
}

/**
 * The records of a stage file, each with its line's bytes as read (no newline). Every stage line was
 * written by `JSON.stringify` (or spliced to the same text, emit-samples.ts), so a step that keeps a
 * record unchanged writes `line` back instead of serialising the record again: the same bytes,
 * without the cost (re-serialising was a third of a dedup step's own work). The bytes are a view of
 * the chunk read, not a string: a step that holds records in flight (dedup) keeps them off the heap.
 * `live`: the file's bytes while the step before still writes it (stage-tap.ts), read instead of the file.
 */
export async function* readRecordLines(path: string, live?: AsyncIterable<Uint8Array>): AsyncIterable<{ record: DataRecord; line: Buffer }> {
  for await (const line of live ? splitLines(live) : readFileLineBytes(path)) {
    if (line.length > 0) yield { record: JSON.parse(line.toString('utf8')) as DataRecord, line };
  }
}

/** Objects of a JSONL file we wrote ourselves, streamed. */
export async function* readJsonLines<T>(path: string): AsyncIterable<T> {
  for await (const line of readFileLines(path)) {
    if (line !== '') yield JSON.parse(line) as T;
  }
}

const NEWLINE = Buffer.from('\n');

/**
 * Whole stage lines, each with its newline, made by a step in one buffer whose memory nothing else
 * uses (an emit batch a worker encoded, a dedup batch's kept lines): `writeRecords` writes it and
 * hands it to the tap as it is, where a record would be copied into a chunk first. Copying each
 * chunk on the main thread, and the garbage collections the copies' memory set off, were a large
 * share of that thread's work in the overlapped stage (bench/README.md, "omain").
 */
export class LineChunk {
  constructor(
    /** Ends with a newline; a view of an ArrayBuffer no one else holds (a reader may transfer it). */
    readonly bytes: Buffer<ArrayBuffer>,
    /** Its lines: what `writeRecords` counts. */
    readonly lines: number,
  ) {}
}

type StageRecord = DataRecord | string | Buffer | LineChunk;

/**
 * Writes records to `path` atomically (temp file, then rename). Returns how many were written. A
 * string or Buffer is a record already serialised (one line of JSON, no newline) and is written as is.
 * With a `tap`, the lines are written in chunks of about STREAM_CHUNK_BYTES, and each chunk, once in
 * the file, is handed to the tap's reader (the next step, already running: stage-tap.ts).
 */
export async function writeRecords(path: string, records: AsyncIterable<StageRecord>, options: { tap?: StageTap } = {}): Promise<number> {
  const temporary = `${path}.partial`;
  const output = createWriteStream(temporary, { encoding: 'utf8', highWaterMark: STREAM_CHUNK_BYTES });
  const chunks = options.tap ? new TappedChunks(output, options.tap) : undefined;
  let count = 0;
  try {
    for await (const record of records) {
      if (record instanceof LineChunk) {
        count += record.lines;
        if (chunks) await chunks.addChunk(record.bytes);
        else if (!output.write(record.bytes)) await once(output, 'drain');
        continue;
      }
      count++;
      if (chunks) {
        const full = chunks.add(record);
        if (full) await full;
        continue;
      }
      if (Buffer.isBuffer(record)) output.write(record);
      if (!output.write(Buffer.isBuffer(record) ? NEWLINE : `${typeof record === 'string' ? record : JSON.stringify(record)}\n`)) await once(output, 'drain');
    }
    await chunks?.flush();
    output.end();
    await once(output, 'finish');
  } catch (error) {
    // A write still in flight fails with ERR_STREAM_DESTROYED once the stream is destroyed; with no
    // listener that would crash the process and hide the error that matters (a malformed seed line).
    output.on('error', () => {});
    const closed = output.closed ? Promise.resolve() : new Promise<void>((resolve) => output.once('close', () => resolve()));
    output.destroy();
    // Removing the file before the stream has closed would race its pending open and leave it behind.
    await closed;
    await rm(temporary, { force: true });
    throw error;
  }
  await rename(temporary, path);
  return count;
}

/** Lines gathered into chunks of whole lines, each written to the file and then given to the tap. */
class TappedChunks {
  private parts: (string | Buffer)[] = [];
  private bytes = 0;
  private chunks = 0;

  constructor(
    private readonly output: WriteStream,
    private readonly tap: StageTap,
  ) {}

  /** Returns a promise when a chunk was written and the writer should wait for room. */
  add(record: DataRecord | string | Buffer): Promise<void> | undefined {
    const line = typeof record === 'string' || Buffer.isBuffer(record) ? record : JSON.stringify(record);
    this.parts.push(line);
    // A string's length undercounts its UTF-8 bytes: only the chunk size moves, not what is written.
    this.bytes += line.length + 1;
    return this.bytes >= STREAM_CHUNK_BYTES ? this.flush() : undefined;
  }

  /** A chunk of whole lines that owns its memory: after the lines gathered so far, written and handed on without a copy. */
  async addChunk(chunk: Buffer<ArrayBuffer>): Promise<void> {
    await this.flush();
    await this.send(chunk);
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const chunk = ownedChunk(this.parts);
    this.parts = [];
    this.bytes = 0;
    await this.send(chunk);
  }

  private async send(chunk: Buffer<ArrayBuffer>): Promise<void> {
    if (chunk.length === 0) return;
    const tap = this.tap;
    // In the callback the bytes are in the file: the reader may transfer (detach) the chunk after that.
    const room = this.output.write(chunk, (error) => {
      if (!error) tap.push(chunk);
    });
    if (!room) await once(this.output, 'drain');
    await tap.room();
    // Crash tests: killed with this step's file half written and the next step reading it.
    if (++this.chunks === 2 && failpointArmed('overlapping')) {
      await tap.taken();
      failpoint('overlapping');
    }
  }
}

/** The lines with their newlines in one buffer that owns its whole ArrayBuffer (a reader may transfer it). */
function ownedChunk(parts: readonly (string | Buffer)[]): Buffer<ArrayBuffer> {
  let length = 0;
  for (const part of parts) length += (typeof part === 'string' ? Buffer.byteLength(part) : part.length) + 1;
  const chunk = Buffer.allocUnsafeSlow(length);
  let offset = 0;
  for (const part of parts) {
    offset += typeof part === 'string' ? chunk.write(part, offset, 'utf8') : part.copy(chunk, offset);
    chunk[offset++] = 10;
  }
  return chunk;
}

export function stageDone(path: string): boolean {
  return existsSync(path);
}

/** Lines of a file, read in fixed chunks (memory does not grow with the file). */
export function countLinesSync(path: string): number {
  const buffer = Buffer.allocUnsafe(1 << 20);
  const descriptor = openSync(path, 'r');
  let lines = 0;
  try {
    for (let read = readSync(descriptor, buffer); read > 0; read = readSync(descriptor, buffer)) {
      for (let index = buffer.indexOf(10); index !== -1 && index < read; index = buffer.indexOf(10, index + 1)) lines++;
    }
  } finally {
    closeSync(descriptor);
  }
  return lines;
}

/** The rejects file of step `stepIndex`, beside the stage it reads (see step-rejects.ts). */
export function stepRejectsPath(stagePath: string, stepIndex: number): string {
  return stagePath.replace(/\.jsonl$/, `.step${stepIndex}-rejects.jsonl`);
}

/**
 * The request keys of each record entering a generate step, one JSON array per line, in the order
 * of the stage file. Written while planning (which renders every prompt anyway) and read while
 * emitting, so prompts are rendered once. Written to a temp name and renamed when complete: a
 * missing file (a crash mid-plan) just means the emitter renders again.
 *
 * A record whose requests could not be rendered has `{"rejected": "<source>: <reason>"}` on its
 * line instead, and goes to the step's rejects file, which is put in place with the keys file.
 */

export function requestKeysPath(stagePath: string, stepIndex: number): string {
  return stagePath.replace(/\.jsonl$/, `.step${stepIndex}-keys.jsonl`);
}

/** A record's request keys, or why it was rejected (`source: reason`). */
export type PlannedKeys = string[] | { rejected: string };

export class RequestKeysWriter {
  private readonly stream;
  private readonly rejects: StepRejects;
  private pending = '';

  constructor(private readonly path: string) {
    this.stream = createWriteStream(`${path}.partial`, { highWaterMark: STREAM_CHUNK_BYTES });
    // Derived from the keys path, so the planner needs no second path to reject records.
    this.rejects = new StepRejects(path.replace(/-keys\.jsonl$/, '-rejects.jsonl'));
  }

  /** A promise only when the stream must drain (lines are gathered into 64K-character writes). */
  write(keys: string[]): Promise<void> | undefined {
    this.pending += `${JSON.stringify(keys)}\n`;
    return this.pending.length >= KEYS_PENDING_CHARS ? this.flush() : undefined;
  }

  /** A record that sends nothing: marked in the keys file and written to the step's rejects file. */
  async reject(record: DataRecord, step: string, reason: string): Promise<void> {
    this.pending += `${JSON.stringify({ rejected: rejectionExample(record, reason) })}\n`;
    await this.flush();
    await this.rejects.error(record, step, reason);
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
    await this.rejects.commit();
    await rename(`${this.path}.partial`, this.path);
  }

  private flush(): Promise<void> | undefined {
    if (this.pending.length === 0) return undefined;
    const written = this.stream.write(this.pending);
    this.pending = '';
    return written ? undefined : once(this.stream, 'drain').then(() => undefined);
  }
}

/** Keys lines gathered before one stream write: a write per record cost planning ≈ 4% of its time. */
const KEYS_PENDING_CHARS = 64 * 1024;

/**
 * Reads the keys file line by line, or undefined when there is none; `close` closes it before its end
 * (a pass that failed part-way).
 */
export function openRequestKeys(path: string): ((() => Promise<PlannedKeys | undefined>) & { close(): Promise<void> }) | undefined {
  if (!existsSync(path)) return undefined;
  const lines = readFileLines(path)[Symbol.asyncIterator]();
  const next = async (): Promise<PlannedKeys | undefined> => {
    const line = await lines.next();
    return line.done ? undefined : (JSON.parse(line.value) as PlannedKeys);
  };
  return Object.assign(next, { close: async () => void (await lines.return?.()) });
}
