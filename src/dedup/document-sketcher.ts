import type { DedupConfig } from './dedup-spec.js';
import { ExactHasher, ExactKeyTable } from './exact.js';
import { computeBandKeys } from './lsh.js';
import { createMinHashParams, JsMinHashKernel, type MinHashKernel, type MinHashSignature } from './minhash.js';
import { WasmMinHashKernel } from './wasm/minhash-wasm.js';
import { NormalizedText, normalizeInto, normalizeJsonAsciiInto, normalizeUtf8Into } from './normalize.js';
import { shingleCount, shingleHashes } from './shingle.js';

/**
 * The per-document front end: text → normalised text → exact key → shingle hashes → MinHash
 * signature → band keys. Everything that does not depend on other documents, so it can run in any
 * thread (sketch-worker.ts) while the order-dependent decisions stay in text-dedup-index.ts.
 *
 * One sketcher per thread: it owns scratch buffers (and the WASM instance) that every document
 * overwrites, so the hot path allocates nothing per document except the exact-key BigInt.
 * The three steps are separate calls so a caller can stop after the exact key: an exact duplicate
 * never pays for shingling or MinHash.
 */

/** Sketches of a batch of documents in flat typed arrays (posted between threads without copying). */
export interface SketchBatch {
  count: number;
  bands: number;
  /** Two int32 per document: exact key high and low halves (zeros when exact dedup is off). */
  exactKeys: Int32Array<ArrayBuffer>;
  /**
   * Document i's shingle hashes are shingles[shingleStarts[i], shingleStarts[i + 1]), as shingled:
   * unsorted, repeats included. The index sorts a run the first time a verification needs it
   * (text-dedup-index.ts); most documents are never a candidate (3.8K verifications for 95K documents
   * in the post-processing bench), so sorting every run here was most of the sorting's cost.
   */
  shingleStarts: Uint32Array<ArrayBuffer>;
  shingles: Int32Array<ArrayBuffer>;
  /** `bands` keys per document (in shared memory when sketched with `sharedBandKeys`). */
  bandKeys: Int32Array<ArrayBufferLike>;
  /** 1 when document i was sketched; 0 when it repeats an earlier key of the batch (an exact duplicate). */
  sketched: Uint8Array<ArrayBuffer>;
}

export class DocumentSketcher {
  readonly text = new NormalizedText();
  exactHigh = 0;
  exactLow = 0;
  /** Shingle hashes of the last sketched document: shingles[0, shingleCount). */
  shingles: Int32Array = new Int32Array(0);
  shingleCount = 0;
  /** Band keys of the last sketched document. */
  readonly bandKeys: Int32Array;
  private lastSignature: Int32Array = new Int32Array(0);
  private readonly decoder = new TextDecoder();

  private constructor(
    readonly config: DedupConfig,
    private readonly kernel: MinHashKernel | undefined,
    private readonly hasher: ExactHasher,
  ) {
    this.bandKeys = new Int32Array(config.near?.bands ?? 0);
  }

  static async create(config: DedupConfig, options: { wasm?: boolean } = {}): Promise<DocumentSketcher> {
    const hasher = await ExactHasher.create();
    let kernel: MinHashKernel | undefined;
    if (config.near !== undefined) {
      const params = createMinHashParams(config.near.numPerm, config.near.seed);
      kernel = (options.wasm === false ? undefined : WasmMinHashKernel.create(params)) ?? new JsMinHashKernel(params);
    }
    return new DocumentSketcher(config, kernel, hasher);
  }

  /** Which MinHash kernel runs: 'none' for exact-only dedup. */
  get kernelKind(): 'js' | 'wasm' | 'none' {
    return this.kernel?.kind ?? 'none';
  }

  normalize(text: string): void {
    normalizeInto(text, this.config, this.text);
  }

  /** normalize() for a text given as UTF-8 bytes[start, end). */
  normalizeUtf8(bytes: Uint8Array, start: number, end: number): void {
    normalizeUtf8Into(bytes, start, end, this.config, this.text, this.decoder);
  }

  /** Exact key of the last normalised text, into exactHigh / exactLow. */
  computeExactKey(): void {
    this.hasher.hash(this.text.units, this.text.length);
    this.exactHigh = this.hasher.high;
    this.exactLow = this.hasher.low;
  }

  /** Shingles, signature and band keys of the last normalised text. */
  sketch(): void {
    const near = this.config.near;
    const kernel = this.kernel;
    if (near === undefined || kernel === undefined) throw new Error('sketch() needs a near-duplicate config');
    const buffer = kernel.shingleBuffer(shingleCount(this.text, near));
    this.shingleCount = shingleHashes(this.text, near, buffer);
    this.shingles = buffer;
    this.lastSignature = kernel.sign(this.shingleCount);
    computeBandKeys(this.lastSignature, near.bands, near.rows, this.bandKeys, 0);
  }

  /** A copy of the last signature, tagged with its hash family. */
  signature(): MinHashSignature {
    const params = this.kernel!.params;
    return {
      signatureVersion: params.signatureVersion,
      seed: params.seed,
      numPerm: params.numPerm,
      values: this.lastSignature.slice(0, params.numPerm),
    };
  }

  /**
   * Sketches documents textAt(0) … textAt(count − 1). With exact dedup on, a document whose key
   * already occurred in this batch is not sketched: it is an exact duplicate whatever the deduper
   * has seen before. `sharedBandKeys` puts the band keys in a SharedArrayBuffer, so several threads
   * can read one copy (sketch-worker.ts).
   */
  sketchBatch(count: number, textAt: (doc: number) => string, options: { sharedBandKeys?: boolean } = {}): SketchBatch {
    return this.sketchEach(
      count,
      (doc) => {
        this.normalize(textAt(doc));
        return true;
      },
      options,
    );
  }

  /** sketchBatch for texts encoded by encodeTexts (sketch-pool.ts): document i is bytes[offsets[i], offsets[i + 1]). */
  sketchUtf8Batch(bytes: Uint8Array, offsets: Uint32Array, options: { sharedBandKeys?: boolean } = {}): SketchBatch {
    return this.sketchEach(
      offsets.length - 1,
      (doc) => {
        this.normalizeUtf8(bytes, offsets[doc]!, offsets[doc + 1]!);
        return true;
      },
      options,
    );
  }

  /**
   * normalize() for the spans of a stage line's ASCII JSON strings (normalizeJsonAsciiInto); false,
   * with the text left undefined, when a span is not such a string's valid contents.
   */
  normalizeJsonAscii(bytes: Uint8Array, starts: Uint32Array, ends: Uint32Array, first: number, count: number): boolean {
    return normalizeJsonAsciiInto(bytes, starts, ends, first, count, this.config, this.text);
  }

  /**
   * sketchBatch over `inputs` inputs (stage lines, stage-line-batch.ts) where `normalizeInput(i)`
   * normalises input i into `text` and answers true, or answers false when input i is no document
   * (a failed line): the batch's documents are the inputs that gave one, in order.
   */
  sketchInputs(inputs: number, normalizeInput: (input: number) => boolean, options: { sharedBandKeys?: boolean } = {}): SketchBatch {
    return this.sketchEach(inputs, normalizeInput, options);
  }

  /** Documents from up to `inputs` inputs (see sketchInputs); the arrays are cut to the documents found. */
  private sketchEach(inputs: number, normalizeInput: (input: number) => boolean, options: { sharedBandKeys?: boolean }): SketchBatch {
    const near = this.config.near;
    const bands = near?.bands ?? 0;
    const shared = options.sharedBandKeys === true;
    let exactKeys = new Int32Array(inputs * 2);
    let shingleStarts = new Uint32Array(inputs + 1);
    let bandKeys = shared ? new Int32Array(new SharedArrayBuffer(inputs * bands * 4)) : new Int32Array(inputs * bands);
    let sketched = new Uint8Array(inputs);
    const seen = this.config.exact ? new ExactKeyTable() : undefined;
    // Room for ~150-word documents; grown when the batch holds longer ones.
    let shingles = new Int32Array(near === undefined ? 0 : inputs * 160);
    let used = 0;
    let count = 0;

    for (let input = 0; input < inputs; input++) {
      shingleStarts[count] = used;
      if (!normalizeInput(input)) continue;
      const doc = count++;
      if (seen !== undefined) {
        this.computeExactKey();
        exactKeys[doc * 2] = this.exactHigh;
        exactKeys[doc * 2 + 1] = this.exactLow;
        if (seen.find(this.exactHigh, this.exactLow) >= 0) continue;
        seen.insert(this.exactHigh, this.exactLow, doc);
      }
      if (near === undefined) continue;
      this.sketch();
      const found = this.shingleCount;
      if (used + found > shingles.length) {
        const grown = new Int32Array(Math.max(used + found, shingles.length * 2));
        grown.set(shingles.subarray(0, used));
        shingles = grown;
      }
      shingles.set(this.shingles.subarray(0, found), used);
      used += found;
      bandKeys.set(this.bandKeys, doc * bands);
      sketched[doc] = 1;
    }
    shingleStarts[count] = used;
    if (count < inputs) {
      exactKeys = exactKeys.slice(0, count * 2);
      shingleStarts = shingleStarts.slice(0, count + 1);
      sketched = sketched.slice(0, count);
      const cut = shared ? new Int32Array(new SharedArrayBuffer(count * bands * 4)) : new Int32Array(count * bands);
      cut.set(bandKeys.subarray(0, count * bands));
      bandKeys = cut;
    }
    return { count, bands, exactKeys, shingleStarts, shingles: shingles.slice(0, used), bandKeys, sketched };
  }
}
