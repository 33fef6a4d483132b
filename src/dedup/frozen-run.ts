import { combine32, fmix32 } from './mix32.js';
import { closeSpillFile, openSpillFile, readAt, writeAt } from './spill-file.js';

/**
 * An immutable part of a spilled index (tiered-lsh.ts, tiered-exact-table.ts) on disk: records
 * (a, b, v) of three int32, where (a, b) is the key ((band, band key) for the LSH, (high, low) for
 * exact keys) and v the document. The records of one key form a group, stored contiguously in the
 * order they were given (newest first for the LSH).
 *
 * Layout: the file is cut into 2^k partitions by the top k bits of a hash of the key (a static hash
 * table rather than a sorted file: partitioning is a counting sort, no comparisons), so a lookup
 * reads one partition (≈ 64 groups, one `pread` of a few KiB, which the page cache mostly answers).
 * In memory: the partition directory (4 bytes per partition, ≈ 0.06 B per group) and a blocked Bloom
 * filter of 12 bits per group (one 64-byte block per key, 8 bits set in it: ≈ 0.5% false positives
 * in theory), so a key that is in no run, which is what most probes ask, costs one cache line and no
 * read. That filter, ≈ 1.5 bytes per group, is what stays in memory per spilled item.
 */

const SEED = 0x2f0b3c5d | 0;
const RECORD_INTS = 3;
const RECORD_BYTES = RECORD_INTS * 4;
const GROUPS_PER_PARTITION = 64;
const BLOOM_BITS_PER_GROUP = 12;
const BLOCK_WORDS = 16;
const BLOOM_PROBES = 8;
const WRITE_BUFFER_RECORDS = 1 << 16;

/** The hash a run files key (a, b) under; lookup takes it precomputed when it asks several runs. */
export function runKeyHash(a: number, b: number): number {
  return keyHash(a, b);
}

function keyHash(a: number, b: number): number {
  return fmix32(combine32(combine32(SEED, a), b));
}

/**
 * Emits every record (a, b, v) of a run to `emit`, each group's records one after another in their
 * final order (called once).
 */
export type RecordSource = (emit: (a: number, b: number, v: number) => void) => void;

export class FrozenRun {
  private scratch = new Int32Array(RECORD_INTS * 256);

  private constructor(
    private fd: number | undefined,
    /** Record index where each partition starts; [partitions] = the record count. */
    private readonly starts: Uint32Array,
    private readonly partitionBits: number,
    private readonly bloom: Int32Array,
    /** Groups in the run (after a merge, an upper bound: a key in several runs counts once per run). */
    readonly groups: number,
  ) {}

  get records(): number {
    return this.starts[this.starts.length - 1]!;
  }

  /** Bytes this run keeps in memory: its filter and its directory. */
  get byteLength(): number {
    return this.bloom.byteLength + this.starts.byteLength;
  }

  /** Bytes of its file. */
  get fileBytes(): number {
    return this.records * RECORD_BYTES;
  }

  /**
   * Writes the records of `source` (`groups` groups) to a new run file in `directory`. One pass over
   * the source counts the records per partition, fills the filter and copies the records, as they
   * come, to a scratch file; then each slice of partitions (at most `sliceRecords` records, but a
   * partition larger than that is a slice of its own) is placed from that file and written. So a
   * freeze holds a slice's image (IMAGE_SLICE_RECORDS), not the whole run's (12 B per record, as
   * large as the live table it froze), and walks the live table once.
   */
  static write(groups: number, source: RecordSource, directory: string | undefined, sliceRecords = IMAGE_SLICE_RECORDS): FrozenRun {
    const partitionBits = partitionBitsFor(groups);
    const partitions = 1 << partitionBits;
    const starts = new Uint32Array(partitions + 1);
    const bloom = newBloom(groups);
    const scratch = openSpillFile(directory, 'records');
    let fd: number | undefined;
    try {
      const copy = new OutputBuffer(scratch);
      let lastA = 0;
      let lastB = 0;
      let first = true;
      source((a, b, v) => {
        const hash = keyHash(a, b);
        starts[partitionOf(hash, partitionBits) + 1]!++;
        if (first || a !== lastA || b !== lastB) bloomAdd(bloom, hash);
        first = false;
        lastA = a;
        lastB = b;
        copy.append(a, b, v);
      });
      copy.flush();
      for (let partition = 0; partition < partitions; partition++) starts[partition + 1]! += starts[partition]!;
      fd = openSpillFile(directory, 'run');
      for (let from = 0; from < partitions; ) {
        let to = from + 1;
        while (to < partitions && starts[to + 1]! - starts[from]! <= sliceRecords) to++;
        writeSlice(fd, scratch, starts, partitionBits, from, to);
        from = to;
      }
    } catch (error) {
      closeSpillFile(fd);
      throw error;
    } finally {
      closeSpillFile(scratch);
    }
    return new FrozenRun(fd, starts, partitionBits, bloom, groups);
  }

  /**
   * One run holding every record of `runs` (newest run first): in each partition, the newest run's
   * records, then the next one's, so a key's records read in the order a walk of the runs newest
   * first would give them (lookup stops at its limit either way). No grouping, no sort: a key that
   * is in several runs simply appears once per run, and adding it to the filter again changes
   * nothing. Streams partition by partition, so it needs a few partitions of memory, not the runs.
   */
  static merge(runs: readonly FrozenRun[], directory: string | undefined): FrozenRun {
    let groupBound = 0;
    for (const run of runs) groupBound += run.groups;
    const partitionBits = partitionBitsFor(groupBound);
    const partitions = 1 << partitionBits;
    const starts = new Uint32Array(partitions + 1);
    const bloom = newBloom(groupBound);
    const fd = openSpillFile(directory, 'run');
    try {
      const cached = runs.map(() => ({ partition: -1, values: new Int32Array(0) }));
      const out = new OutputBuffer(fd);
      for (let partition = 0; partition < partitions; partition++) {
        let written = 0;
        // Output partitions refine every input's (same hash, more bits): each input partition is read once.
        runs.forEach((run, index) => {
          const source = cached[index]!;
          const inputPartition = partition >>> (partitionBits - run.partitionBits);
          if (source.partition !== inputPartition) {
            source.partition = inputPartition;
            source.values = run.readPartition(inputPartition).slice();
          }
          const values = source.values;
          for (let at = 0; at < values.length; at += RECORD_INTS) {
            const hash = keyHash(values[at]!, values[at + 1]!);
            if (partitionOf(hash, partitionBits) !== partition) continue;
            bloomAdd(bloom, hash);
            out.append(values[at]!, values[at + 1]!, values[at + 2]!);
            written++;
          }
        });
        starts[partition + 1] = written;
      }
      out.flush();
    } catch (error) {
      closeSpillFile(fd);
      throw error;
    }
    for (let partition = 0; partition < partitions; partition++) starts[partition + 1]! += starts[partition]!;
    return new FrozenRun(fd, starts, partitionBits, bloom, groupBound);
  }

  /** Whether the filter says the key may be in this run (no false negatives). */
  mayHave(a: number, b: number): boolean {
    return bloomHas(this.bloom, keyHash(a, b));
  }

  /**
   * Appends the documents of key (a, b), in stored order, to out[offset, …), at most `limit`;
   * returns how many were written.
   */
  lookup(a: number, b: number, out: Int32Array, offset: number, limit: number, hash = runKeyHash(a, b)): number {
    if (limit <= 0 || !bloomHas(this.bloom, hash)) return 0;
    const values = this.readPartition(partitionOf(hash, this.partitionBits));
    let written = 0;
    for (let at = 0; at < values.length && written < limit; at += RECORD_INTS) {
      if (values[at] === a && values[at + 1] === b) out[offset + written++] = values[at + 2]!;
    }
    return written;
  }

  /** Closes the file (the run is unusable afterwards). */
  close(): void {
    closeSpillFile(this.fd);
    this.fd = undefined;
  }

  /** The records of a partition, valid until the next read. */
  private readPartition(partition: number): Int32Array {
    if (this.fd === undefined) throw new Error('internal: a closed dedup run was read');
    const first = this.starts[partition]!;
    const ints = (this.starts[partition + 1]! - first) * RECORD_INTS;
    if (this.scratch.length < ints) this.scratch = new Int32Array(Math.max(ints, this.scratch.length * 2));
    if (ints > 0) readAt(this.fd, new Uint8Array(this.scratch.buffer, 0, ints * 4), first * RECORD_BYTES);
    return this.scratch.subarray(0, ints);
  }
}

/**
 * Records of a run placed in memory at once while it is written (12 MiB). The whole run's image
 * was as large as the live table it froze (≈ 50 MiB for a band partition at a 256 MiB cap with two
 * workers), a fresh one per freeze, and V8 collects ArrayBuffers only once ≈ 64 MiB of them
 * accumulate per isolate: every thread that spilled held about one dead image besides its live
 * table (bench/README.md, rss).
 */
const IMAGE_SLICE_RECORDS = 1 << 20;
/** Records read back from the scratch file at a time. */
const READ_RECORDS = 1 << 16;

/** One image per thread, reused by every write, and one read buffer: neither is ever garbage. */
let image = new Int32Array(0);
const readBuffer = new Int32Array(READ_RECORDS * RECORD_INTS);

/**
 * Places the records of partitions [from, to), read from the scratch file in their order (a stable
 * counting sort by partition keeps each group contiguous and in its order), and writes them where
 * the run file holds them.
 */
function writeSlice(fd: number, scratch: number, starts: Uint32Array, partitionBits: number, from: number, to: number): void {
  const first = starts[from]!;
  const records = starts[to]! - first;
  if (records === 0) return;
  if (image.length < records * RECORD_INTS) image = new Int32Array(Math.max(records, Math.min(IMAGE_SLICE_RECORDS, 2 * records)) * RECORD_INTS);
  const placed = image;
  const cursor = starts.slice(from, to);
  const total = starts[starts.length - 1]!;
  const bytes = new Uint8Array(readBuffer.buffer);
  for (let read = 0; read < total; read += READ_RECORDS) {
    const count = Math.min(READ_RECORDS, total - read);
    readAt(scratch, bytes.subarray(0, count * RECORD_BYTES), read * RECORD_BYTES);
    for (let at = 0; at < count * RECORD_INTS; at += RECORD_INTS) {
      const a = readBuffer[at]!;
      const b = readBuffer[at + 1]!;
      const partition = partitionOf(keyHash(a, b), partitionBits);
      if (partition < from || partition >= to) continue;
      const place = (cursor[partition - from]!++ - first) * RECORD_INTS;
      placed[place] = a;
      placed[place + 1] = b;
      placed[place + 2] = readBuffer[at + 2]!;
    }
  }
  writeAt(fd, new Uint8Array(placed.buffer, 0, records * RECORD_BYTES), first * RECORD_BYTES);
}

function partitionBitsFor(groups: number): number {
  let bits = 0;
  while (bits < 24 && groups > GROUPS_PER_PARTITION << bits) bits++;
  return bits;
}

function partitionOf(hash: number, bits: number): number {
  return bits === 0 ? 0 : hash >>> (32 - bits);
}

function newBloom(groups: number): Int32Array {
  const blocks = Math.max(1, Math.ceil((groups * BLOOM_BITS_PER_GROUP) / (BLOCK_WORDS * 32)));
  return new Int32Array(blocks * BLOCK_WORDS);
}

/**
 * The block comes from the low bits' mix, the 8 bits in it from a second mix (double hashing).
 * `add` sets the bits; otherwise they are only tested. True when every bit is (now) set.
 */
function bloomProbe(bloom: Int32Array, hash: number, add: boolean): boolean {
  const blocks = bloom.length / BLOCK_WORDS;
  const base = ((fmix32(hash ^ 0x3c6ef372) >>> 0) % blocks) * BLOCK_WORDS;
  const second = fmix32(hash + 0x7f4a7c15);
  const step = (second >>> 9) | 1;
  for (let probe = 0; probe < BLOOM_PROBES; probe++) {
    const bit = (second + probe * step) & 511;
    const word = base + (bit >>> 5);
    if (add) bloom[word]! |= 1 << (bit & 31);
    else if ((bloom[word]! & (1 << (bit & 31))) === 0) return false;
  }
  return true;
}

function bloomAdd(bloom: Int32Array, hash: number): void {
  bloomProbe(bloom, hash, true);
}

function bloomHas(bloom: Int32Array, hash: number): boolean {
  return bloomProbe(bloom, hash, false);
}

/**
 * A tiered table's frozen runs, newest first, and what it reports about them; the live table's own
 * bytes come from the subclass.
 */
export abstract class RunTier {
  protected runs: FrozenRun[] = [];

  protected abstract liveBytes(): number;

  /** Bytes in memory: the live table and each run's filter and directory. */
  get byteLength(): number {
    let bytes = this.liveBytes();
    for (const run of this.runs) bytes += run.byteLength;
    return bytes;
  }

  /** Bytes in the run files. */
  get spilledBytes(): number {
    let bytes = 0;
    for (const run of this.runs) bytes += run.fileBytes;
    return bytes;
  }

  /** Closes every run file. */
  close(): void {
    for (const run of this.runs) run.close();
    this.runs = [];
  }
}

/** Appends records to the file in large writes. */
class OutputBuffer {
  private buffer = new Int32Array(WRITE_BUFFER_RECORDS * RECORD_INTS);
  private used = 0;
  private position = 0;

  constructor(private readonly fd: number) {}

  append(a: number, b: number, v: number): void {
    if (this.used === this.buffer.length) this.flush();
    this.buffer[this.used++] = a;
    this.buffer[this.used++] = b;
    this.buffer[this.used++] = v;
  }

  flush(): void {
    this.write(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  private write(values: Int32Array): void {
    writeAt(this.fd, new Uint8Array(values.buffer, values.byteOffset, values.byteLength), this.position);
    this.position += values.byteLength;
  }
}
