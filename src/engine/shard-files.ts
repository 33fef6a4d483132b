/**
 * The files of one shard, next to each other under the run's `shards/` folder:
 *
 *   <name>.jsonl           the requests, one provider request per line, as submitted
 *   <name>.keys            the request key of each line: 16 bytes per line, in line order
 *   <name>.answers.jsonl   once collected: each valid answer's value, one JSON line each, in the order
 *                          the results came back; the response cache points at lines of it
 *   <name>.invalid.jsonl   once collected: every line that has no valid answer, with its reason
 *   <name>.answers.pos     once collected: where each line's valid answer lies in the answers file
 *                          (what the cache rows written with it say), so emitting this run's own
 *                          answers joins them by position instead of one cache lookup per sample
 *
 * A request is identified by its shard and line, never by a row of its own: the provider echoes the
 * `custom_id`, which is `<shard id>-<line>`, so a result finds its request key by position.
 */
import { isAscii } from 'node:buffer';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { CACHE_KEY_BYTES } from '../store/response-cache.js';

export function shardKeysPath(shardPath: string): string {
  return shardPath.replace(/\.jsonl$/, '.keys');
}

export function shardAnswersPath(shardPath: string): string {
  return shardPath.replace(/\.jsonl$/, '.answers.jsonl');
}

export function shardInvalidPath(shardPath: string): string {
  return shardPath.replace(/\.jsonl$/, '.invalid.jsonl');
}

export function shardPositionsPath(shardPath: string): string {
  return shardPath.replace(/\.jsonl$/, '.answers.pos');
}

/** Where each line's valid answer lies in its shard's answers file: offset -1 for a line without one. */
export interface AnswerPositions {
  offsets: Float64Array;
  sizes: Uint32Array;
}

/**
 * First value of a positions file, in the machine's byte order: a file written with another byte
 * order (a state directory moved between machines) reads as something else and is not used.
 */
const POSITIONS_MAGIC = 0x53465031;
const POSITIONS_HEADER_BYTES = 8;

/** Writes the shard's positions file (under a temporary name, renamed into place). */
export async function writeAnswerPositions(shardPath: string, positions: AnswerPositions): Promise<void> {
  const header = new Uint32Array([POSITIONS_MAGIC, positions.offsets.length]);
  const path = shardPositionsPath(shardPath);
  await writeFile(`${path}.partial`, Buffer.concat([typedBytes(header), typedBytes(positions.offsets), typedBytes(positions.sizes)]));
  await rename(`${path}.partial`, path);
}

/** The shard's positions, or undefined when its file is missing or not one of `lines` lines (the cache then answers). */
export function readAnswerPositions(shardPath: string, lines: number): AnswerPositions | undefined {
  let content: Buffer;
  try {
    content = readFileSync(shardPositionsPath(shardPath));
  } catch {
    return undefined;
  }
  if (content.length !== POSITIONS_HEADER_BYTES + lines * 12) return undefined;
  // A copy: a Buffer this small may lie in a shared pool at an offset no Float64Array can start at.
  const bytes = new Uint8Array(content).buffer;
  const header = new Uint32Array(bytes, 0, 2);
  if (header[0] !== POSITIONS_MAGIC || header[1] !== lines) return undefined;
  return { offsets: new Float64Array(bytes, POSITIONS_HEADER_BYTES, lines), sizes: new Uint32Array(bytes, POSITIONS_HEADER_BYTES + lines * 8, lines) };
}

function typedBytes(array: Uint32Array | Float64Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/**
 * `<shard id>-<line>`. Shard ids are `<run id>-s<step>-<number>` with a random part in the run id, so
 * ids never repeat across shards, rounds or runs, and stay within every provider's charset
 * (Anthropic's `^[a-zA-Z0-9_-]{1,64}$` is the narrowest).
 */
export function customIdOf(shardId: string, line: number): string {
  return `${shardId}-${line}`;
}

/** The line a custom_id names in this shard, or undefined for an id that is not this shard's. */
export function lineOfCustomId(shardId: string, customId: string, lines: number): number | undefined {
  if (customId.length <= shardId.length + 1 || !customId.startsWith(shardId) || customId.charCodeAt(shardId.length) !== 45 /* - */) return undefined;
  const digits = customId.slice(shardId.length + 1);
  if (!/^(0|[1-9]\d*)$/.test(digits)) return undefined;
  const line = Number(digits);
  return line < lines ? line : undefined;
}

/** The shard's request keys, 16 bytes per line. */
export function readShardKeys(shardPath: string): Buffer {
  return readFileSync(shardKeysPath(shardPath));
}

/** The hex cache key of line `line` (the first 32 hex digits of its request key). */
export function keyAt(keys: Buffer, line: number): string {
  return keys.toString('hex', line * CACHE_KEY_BYTES, (line + 1) * CACHE_KEY_BYTES);
}

export function lineCount(keys: Buffer): number {
  return keys.length / CACHE_KEY_BYTES;
}

/** Largest answers file `read` holds whole; a larger one is read an answer at a time. */
const WHOLE_FILE_BYTES = 32 << 20;
/** Whole files held at once: the current shard of each round being emitted (records come in shard order). */
const WHOLE_FILES = 3;

/**
 * Reads answers by (file, offset, length), keeping one descriptor per answers file open until
 * `close`: emitting reads a few answers from each of many shards, in input order.
 */
export class AnswerReader {
  private readonly files = new Map<string, number | null>();
  private buffer = Buffer.alloc(64 * 1024);
  /** Answers files read whole, by descriptor, least recently used first. */
  private readonly whole = new Map<number, WholeFile>();
  /** The shard `read` was last asked about and its descriptor: answers come in runs from one shard. */
  private lastShardPath: string | undefined;
  private lastFd: number | null = null;
  /** Buffers of files no longer held, reused by the next file read whole. */
  private spare: Buffer[] = [];
  /** The whole file `read` last used, and its descriptor. */
  private lastWhole: { fd: number; file: WholeFile } | undefined;

  /**
   * The answer's JSON text, or undefined when its file is gone (the run folder was deleted) or cut
   * short. `whole`: the caller will read most of this file's answers, so it is read once, whole
   * (up to WHOLE_FILE_BYTES; an answers file is written once and never changes in place).
   */
  read(shardPath: string, offset: number, bytes: number, whole = false): string | undefined {
    if (shardPath !== this.lastShardPath) {
      this.lastFd = this.open(shardAnswersPath(shardPath));
      this.lastShardPath = shardPath;
    }
    const fd = this.lastFd;
    if (fd === null) return undefined;
    const content = whole ? this.wholeFile(fd) : undefined;
    if (content) {
      if (offset + bytes > content.length) return undefined;
      return content.buffer.toString(content.ascii ? 'latin1' : 'utf8', offset, offset + bytes);
    }
    if (this.buffer.length < bytes) this.buffer = Buffer.alloc(Math.max(bytes, this.buffer.length * 2));
    const read = readSync(fd, this.buffer, 0, bytes, offset);
    if (read !== bytes) return undefined;
    return this.buffer.toString('utf8', 0, bytes);
  }

  /** Whether the answers file of a shard can be read (cached per file). */
  has(shardPath: string): boolean {
    return this.open(shardAnswersPath(shardPath)) !== null;
  }

  close(): void {
    for (const fd of this.files.values()) if (fd !== null) closeSync(fd);
    this.files.clear();
    this.whole.clear();
    this.lastShardPath = undefined;
    this.lastFd = null;
    this.spare = [];
    this.lastWhole = undefined;
  }

  /** The whole content of an open answers file, or undefined when it is too large to hold. */
  private wholeFile(fd: number): WholeFile | undefined {
    if (this.lastWhole?.fd === fd) return this.lastWhole.file;
    let content = this.whole.get(fd);
    if (content) {
      this.whole.delete(fd);
    } else {
      const size = fstatSync(fd).size;
      if (size > WHOLE_FILE_BYTES) return undefined;
      content = this.readWhole(fd, size);
    }
    this.whole.set(fd, content);
    if (this.whole.size > WHOLE_FILES) {
      const oldest = this.whole.keys().next().value!;
      this.spare.push(this.whole.get(oldest)!.buffer);
      this.whole.delete(oldest);
    }
    this.lastWhole = { fd, file: content };
    return content;
  }

  /**
   * The file's bytes, in a buffer a file no longer held used before. Each answer is decoded from them
   * when asked for. Decoding the whole file to one string instead put every file's text on pages the
   * heap maps afresh (a string that large has its own), and a first write to a page costs more than
   * decoding its bytes (bench/README.md, "Eleventh session").
   */
  private readWhole(fd: number, size: number): WholeFile {
    let buffer = this.spare.pop();
    if (!buffer || buffer.length < size) buffer = Buffer.allocUnsafeSlow(Math.max(size, buffer?.length ?? 0));
    let read = 0;
    for (let got = -1; read < size && got !== 0; read += got) got = readSync(fd, buffer, read, size - read, read);
    return { buffer, length: read, ascii: isAscii(buffer.subarray(0, read)) };
  }

  private open(path: string): number | null {
    let fd = this.files.get(path);
    if (fd === undefined) {
      try {
        fd = openSync(path, 'r');
      } catch {
        fd = null;
      }
      this.files.set(path, fd);
    }
    return fd;
  }
}

/**
 * An answers file read whole: its bytes, and whether they are all ASCII (JSON.stringify writes
 * characters above it raw), where an answer's text is its bytes decoded one per unit.
 */
interface WholeFile {
  /** Owned by the reader, reused once the file is no longer held; the file is its first `length` bytes. */
  buffer: Buffer;
  length: number;
  ascii: boolean;
}
