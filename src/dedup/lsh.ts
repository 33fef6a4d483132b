import { combine32, fmix32 } from './mix32.js';

/**
 * Locality-sensitive hashing by banding (Mining of Massive Datasets ch. 3.4): a signature of
 * b·r slots is cut into b bands of r rows; documents whose signatures agree on every row of some
 * band land in the same bucket and become candidate pairs. lsh-params.ts chooses b and r.
 *
 * Band key: one 32-bit hash per band, fmix32 of the ordered fold (mix32.ts) of the band's r slots,
 * seeded with the band number so equal slot values in different bands give different keys.
 * Two different bands collide on a 32-bit key with probability 2^-32, so with E entries there are
 * about E²/2^33 colliding pairs of keys (1 M documents × 16 bands: ≈ 33k). A bucket is therefore the
 * pair (band, key): a probe that finds the key checks the band of the bucket's newest entry, so keys
 * of different bands never share a bucket. That costs no memory (the band is entry mod b) and is what
 * lets the bands be split between indexes (band-partition.ts) with exactly the candidates one index
 * over all bands would give.
 *
 * Index: ONE open-addressing table (linear probing, load ≤ 3/4, power-of-two size) mapping a bucket,
 * (band, band key), → newest entry of that bucket (key and head interleaved, so a probe touches one cache line), plus
 * a `next` array chaining each entry to the previous entry of the same bucket. Entry e = doc·b + band, so the document is ⌊e / b⌋ and nothing else is stored per
 * entry. Memory is about 4·b bytes per document for `next` plus 8 bytes per table slot (1.33–2.67 slots
 * per distinct key): ≈ 230–400 B per document at 16 bands, where datasketch's dict storage took
 * 5.4 kB in our measurement. No JavaScript object is allocated per document.
 *
 * Why 3/4 and not 1/2: nearly every probe misses (a new key), so a table that outgrows the caches costs
 * one cache miss per probe whatever its load, and the longer runs of a fuller table mostly stay in
 * that line; half the memory keeps more of it cached. Band partitions probing the bench's 95K
 * documents: 2.05–2.15 → 1.63–1.85 µs per document, tables 37.8 → 21.8 MiB (bench/README.md, ddcpu).
 *
 * Fan-out cap: `collect` walks at most `maxPerBucket` entries of each bucket, newest first, so a
 * bucket that a template has filled with thousands of members costs at most that many candidates.
 * Members of one bucket are usually one cluster already (union-find in the deduper), so visiting a
 * few of them finds the cluster as surely as visiting all.
 */

const BAND_SEED = 0x5bd1e995 | 0;

/** Whether `keys` keys in `slots` slots is past the table's load limit (3/4). */
function overLoaded(keys: number, slots: number): boolean {
  return keys * 4 > slots * 3;
}
const INITIAL_SLOTS = 1 << 12;

/** Writes the b band keys of `signature` to `out[outOffset, outOffset + bands)`. */
export function computeBandKeys(signature: Int32Array, bands: number, rows: number, out: Int32Array, outOffset = 0): void {
  for (let band = 0; band < bands; band++) {
    let hash = combine32(BAND_SEED, band);
    const start = band * rows;
    for (let row = 0; row < rows; row++) hash = combine32(hash, signature[start + row]!);
    out[outOffset + band] = fmix32(hash);
  }
}

export class LshIndex {
  /** Slot i holds [2i] the band key and [2i + 1] the newest entry of its bucket plus one (0 = empty slot). */
  private slots = new Int32Array(INITIAL_SLOTS * 2);
  private usedSlots = 0;
  /** Previous entry of the same bucket, plus one; 0 ends the chain. */
  private next: Int32Array;

  /** Entry number of `next[0]`: a live table of tiered-lsh.ts starts at its first document. */
  private firstEntry: number;

  constructor(
    readonly bands: number,
    /** The first document this table will hold (a table after a spill starts past 0). */
    firstDoc = 0,
    initialDocs = 1024,
  ) {
    this.firstEntry = firstDoc * bands;
    this.next = new Int32Array(initialDocs * bands);
    // Room for every entry under a distinct key at load ≤ 3/4: a table sized for the documents it
    // will hold never grows (growing rehashed every entry at each doubling: 10% of a sketch worker).
    if (initialDocs !== 1024) this.slots = new Int32Array(Math.max(64, 1 << Math.ceil(Math.log2(Math.ceil((initialDocs * bands * 4) / 3)))) * 2);
  }

  /** Adds document `doc` under its band keys `keys[offset, offset + bands)`. */
  insert(doc: number, keys: Int32Array, offset: number): void {
    this.collectAndInsert(doc, keys, offset, 0, undefined);
  }

  /**
   * Writes the documents sharing a bucket with `keys` to `out` (at most `maxPerBucket` per band,
   * newest first; a document may appear more than once) and returns how many were written.
   * `out` must hold bands × maxPerBucket values.
   */
  collect(keys: Int32Array, offset: number, maxPerBucket: number, out: Int32Array): number {
    const slots = this.slots;
    const next = this.next;
    const mask = (slots.length >> 1) - 1;
    const bands = this.bands;
    let written = 0;
    for (let band = 0; band < bands; band++) {
      const key = keys[offset + band]!;
      let slot = key & mask;
      while (slots[2 * slot + 1] !== 0 && (slots[2 * slot] !== key || (slots[2 * slot + 1]! - 1) % bands !== band)) slot = (slot + 1) & mask;
      let link = slots[2 * slot + 1]!;
      for (let visited = 0; link !== 0 && visited < maxPerBucket; visited++) {
        const entry = link - 1;
        out[written++] = (entry / bands) | 0;
        link = next[entry - this.firstEntry]!;
      }
    }
    return written;
  }

  /**
   * Calls `visit` with every document sharing a bucket with `keys`, however full the bucket (newest
   * first per band; a document may come more than once). For indexes whose buckets hold distinct
   * items rather than one cluster, where a cap would lose matches (semantic dedup, simhash-lsh.ts).
   */
  forEachMember(keys: Int32Array, offset: number, visit: (doc: number) => void): void {
    const slots = this.slots;
    const next = this.next;
    const mask = (slots.length >> 1) - 1;
    const bands = this.bands;
    for (let band = 0; band < bands; band++) {
      const key = keys[offset + band]!;
      let slot = key & mask;
      while (slots[2 * slot + 1] !== 0 && (slots[2 * slot] !== key || (slots[2 * slot + 1]! - 1) % bands !== band)) slot = (slot + 1) & mask;
      for (let link = slots[2 * slot + 1]!; link !== 0; link = next[link - 1 - this.firstEntry]!) visit(((link - 1) / bands) | 0);
    }
  }

  /**
   * `collect` followed by `insert` of `doc`, probing each bucket once: query-then-insert in one pass,
   * half the random memory accesses of the two calls (the table outgrows every cache at scale).
   * `doc` must be larger than every document already inserted. `bandCounts[band]`, when given,
   * receives how many of the documents written came from each band.
   */
  collectAndInsert(doc: number, keys: Int32Array, offset: number, maxPerBucket: number, out: Int32Array | undefined, bandCounts?: Int32Array): number {
    const bands = this.bands;
    const base = this.firstEntry;
    const firstEntry = doc * bands;
    this.ensureEntries(firstEntry - base + bands);
    if (overLoaded(this.usedSlots + bands, this.slots.length >> 1)) this.growTable();
    const slots = this.slots;
    const next = this.next;
    const mask = (slots.length >> 1) - 1;
    let written = 0;
    for (let band = 0; band < bands; band++) {
      const key = keys[offset + band]!;
      let slot = key & mask;
      while (slots[2 * slot + 1] !== 0 && (slots[2 * slot] !== key || (slots[2 * slot + 1]! - 1) % bands !== band)) slot = (slot + 1) & mask;
      const head = slots[2 * slot + 1]!;
      if (out !== undefined) {
        let link = head;
        const before = written;
        for (let visited = 0; link !== 0 && visited < maxPerBucket; visited++) {
          const entry = link - 1;
          out[written++] = (entry / bands) | 0;
          link = next[entry - base]!;
        }
        if (bandCounts !== undefined) bandCounts[band] = written - before;
      }
      if (head === 0) {
        slots[2 * slot] = key;
        this.usedSlots++;
      }
      const entry = firstEntry + band;
      next[entry - base] = head;
      slots[2 * slot + 1] = entry + 1;
    }
    return written;
  }

  get byteLength(): number {
    return this.slots.byteLength + this.next.byteLength;
  }

  /**
   * Empties the table for documents from `firstDoc` on, keeping its arrays: a table frozen to disk
   * (tiered-lsh.ts) is refilled to the same size, so growing it again would only cost copies.
   */
  reset(firstDoc: number): void {
    this.slots.fill(0);
    this.usedSlots = 0;
    this.firstEntry = firstDoc * this.bands;
  }

  /** Buckets (distinct band and key) in the table. */
  get buckets(): number {
    return this.usedSlots;
  }

  /** Whether no document was inserted yet. */
  get empty(): boolean {
    return this.usedSlots === 0;
  }

  /** byteLength once `doc` is inserted, when that makes a table grow (else the current byteLength). */
  byteLengthAfter(doc: number): number {
    const entries = (doc + 1) * this.bands - this.firstEntry;
    const nextBytes = entries <= this.next.length ? this.next.byteLength : Math.max(entries, this.next.length * 2) * 4;
    const slotBytes = overLoaded(this.usedSlots + this.bands, this.slots.length >> 1) ? this.slots.byteLength * 2 : this.slots.byteLength;
    return nextBytes + slotBytes;
  }

  /**
   * Calls `visit(band, key, docs, count)` for every bucket with its newest `maxPerBucket` documents,
   * newest first (docs[0, count), reused between calls), in slot order. For freezing the table
   * (tiered-lsh.ts).
   */
  forEachBucket(maxPerBucket: number, visit: (band: number, key: number, docs: Int32Array, count: number) => void): void {
    const { slots, next, bands } = this;
    const docs = new Int32Array(maxPerBucket);
    for (let index = 0; index < slots.length; index += 2) {
      let link = slots[index + 1]!;
      if (link === 0) continue;
      const band = (link - 1) % bands;
      let count = 0;
      for (; link !== 0 && count < maxPerBucket; count++) {
        docs[count] = ((link - 1) / bands) | 0;
        link = next[link - 1 - this.firstEntry]!;
      }
      visit(band, slots[index]!, docs, count);
    }
  }

  private ensureEntries(entries: number): void {
    if (entries <= this.next.length) return;
    const grown = new Int32Array(Math.max(entries, this.next.length * 2));
    grown.set(this.next);
    this.next = grown;
  }

  private growTable(): void {
    const old = this.slots;
    let size = old.length;
    while (overLoaded(this.usedSlots + this.bands, size)) size *= 2;
    const slots = new Int32Array(size * 2);
    const mask = size - 1;
    for (let index = 0; index < old.length; index += 2) {
      const head = old[index + 1]!;
      if (head === 0) continue;
      const key = old[index]!;
      let slot = key & mask;
      while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = key;
      slots[2 * slot + 1] = head;
    }
    this.slots = slots;
  }
}
