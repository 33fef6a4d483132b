import { resolveDedupConfig, type DedupConfig, type DeduperOptions, type DedupSpec } from './dedup-spec.js';
import { DocumentSketcher, type SketchBatch } from './document-sketcher.js';
import { dedupTextOf, semanticValueOf } from './dedup-text.js';
import { SemanticIndex } from './semantic-index.js';
import { sketchStageLines, type StageLines } from './stage-line-batch.js';
import type { StageRecordLocator } from './stage-record-locator.js';
import { TextDedupIndex, type ProbedCandidates, type SketchView } from './text-dedup-index.js';
import type { DedupStats, DedupVerdict } from './dedup-verdict.js';

/**
 * The deduplicator the engine calls: exact, near-duplicate and semantic removal for one dedup step.
 *
 *   const deduper = await createDeduper(spec);
 *   for (const old of previousVersion) deduper.addReferenceRecord(old.id, old.fields);
 *   for (const record of records)       // sorted by stable id: the first of a cluster is kept
 *     deduper.checkRecord(record.id, record.fields);   // → DedupVerdict
 *
 * or, with the text and vector already extracted, `check(id, dedupTextOf(fields, spec), vector)`.
 *
 * Per document, in order (DedupPipeline below), each stage on what the previous one kept:
 *   exact: normalise (normalize.ts) → exact key (exact.ts);
 *   near: shingles (shingle.ts) → MinHash signature (minhash.ts, or the WASM kernel) → band keys
 *     (lsh.ts) → candidates verified by exact Jaccard (jaccard.ts) → clusters (union-find.ts); see
 *     text-dedup-index.ts for the decision rules;
 *   semantic: unit vector (unit-vector.ts) → exact cosine scan or SimHash LSH → kept or dropped
 *     (semantic-index.ts).
 * For streams and worker threads, use dedupStream (dedup-stream.ts).
 */

export type { DedupReason, DedupStats, DedupVerdict } from './dedup-verdict.js';
export { DEDUP_FIELD_SEPARATOR, dedupTextOf, lookupFieldPath, semanticValueOf } from './dedup-text.js';

export interface Deduper {
  /**
   * Indexes a document of an earlier version: never emitted, but later copies are dropped. `vector`
   * is its semantic field's value; a reference without one is not indexed for semantic dedup.
   */
  addReference(id: string, text: string, vector?: ArrayLike<number>): void;
  /**
   * Query-then-insert: the verdict for this document against everything before it. `text` is
   * ignored by a semantic-only spec; `vector` is required when the spec has `semantic`.
   */
  check(id: string, text: string, vector?: ArrayLike<number>): DedupVerdict;
  /** addReference with the text and vector read from the record's fields as the spec says. */
  addReferenceRecord(id: string, fields: Record<string, unknown>): void;
  /** check with the text and vector read from the record's fields as the spec says. */
  checkRecord(id: string, fields: Record<string, unknown>): DedupVerdict;
  stats(): DedupStats;
  /** The resolved parameters (bands and rows, LSH bits and tables chosen), for manifests and logs. */
  readonly config: DedupConfig;
  /** The MinHash kernel in use ('none' without near dedup). */
  readonly kernel: 'js' | 'wasm' | 'none';
  /** Closes the index's spill file (past max_index_mb); the deduper is unusable afterwards. */
  close(): void;
}

export async function createDeduper(spec: DedupSpec, options: DeduperOptions = {}): Promise<Deduper> {
  const config = resolveDedupConfig(spec, options);
  const pipeline = await DedupPipeline.create(config, { wasm: options.wasm ?? true });
  const textOf = (id: string, fields: Record<string, unknown>): string => (pipeline.hasText ? dedupTextOf(fields, spec, id) : '');
  return {
    addReference(id, text, vector) {
      pipeline.decide(id, text, vector, true);
    },
    check(id, text, vector) {
      return pipeline.decide(id, text, vector, false);
    },
    addReferenceRecord(id, fields) {
      pipeline.decide(id, textOf(id, fields), semanticValueOf(fields, config.semantic?.field), true);
    },
    checkRecord(id, fields) {
      return pipeline.decide(id, textOf(id, fields), semanticValueOf(fields, config.semantic?.field), false);
    },
    stats: () => pipeline.stats(),
    close: () => pipeline.close(),
    config,
    kernel: pipeline.kernel,
  };
}

const KEEP: DedupVerdict = Object.freeze({ keep: true });

/** The text stage: the per-document front end and the ordered exact and near decisions. */
interface TextStage {
  sketcher: DocumentSketcher;
  index: TextDedupIndex;
  /** Reused for every document: views into the sketcher's or a worker batch's arrays. */
  view: SketchView;
}

/**
 * The stages of one dedup step in their fixed order, exact → near → semantic, each deciding only
 * the records the previous ones kept. createDeduper and dedupStream both run through this class,
 * so both follow one sequence, and it merges the stages' statistics into one DedupStats.
 *
 * The text stage, when the spec compares fields:
 *   normalise → exact key → exact duplicate? stop : shingles → signature → band keys → admit,
 * the per-document half in document-sketcher.ts, the order-dependent half in text-dedup-index.ts.
 * `decideSketched` is the same sequence for a document a worker already sketched.
 * Then the semantic stage (semantic-index.ts), when the spec has `semantic`. A record dropped as an
 * exact or near duplicate is never embedded-compared, so it never enters the semantic index either.
 */
export class DedupPipeline {
  private constructor(
    readonly config: DedupConfig,
    /** Exact and near dedup; undefined for a semantic-only step. */
    private readonly text: TextStage | undefined,
    private readonly semantic: SemanticIndex | undefined,
  ) {}

  /**
   * `externalLsh`: the band tables live in worker threads (band-partition.ts), and every text
   * decision goes through enterBatch and decideProbed.
   */
  static async create(
    config: DedupConfig,
    options: { wasm?: boolean; externalLsh?: boolean; spillDirectory?: string; expectedDocs?: number } = {},
  ): Promise<DedupPipeline> {
    const hasText = config.exact || config.near !== undefined;
    let text: TextStage | undefined;
    if (hasText) {
      const sketcher = await DocumentSketcher.create(config, options);
      const view = { shingles: sketcher.shingles, shingleStart: 0, shingleCount: 0, bandKeys: sketcher.bandKeys, bandOffset: 0, fromBatch: false };
      const index = new TextDedupIndex(config, {
        ...(config.maxIndexBytes === undefined ? {} : { maxIndexBytes: config.maxIndexBytes }),
        ...(options.spillDirectory === undefined ? {} : { spillDirectory: options.spillDirectory }),
        externalLsh: options.externalLsh === true,
        ...(options.expectedDocs === undefined ? {} : { expectedDocs: options.expectedDocs }),
      });
      text = { sketcher, index, view };
    }
    const semantic =
      config.semantic === undefined
        ? undefined
        : new SemanticIndex(config.semantic, {
            ...(options.wasm === undefined ? {} : { wasm: options.wasm }),
            ...(options.spillDirectory === undefined ? {} : { spillDirectory: options.spillDirectory }),
          });
    return new DedupPipeline(config, text, semantic);
  }

  /** Whether the step compares text (exact or near); false for a semantic-only step. */
  get hasText(): boolean {
    return this.text !== undefined;
  }

  /** The MinHash kernel ('none' without near dedup). */
  get kernel(): 'js' | 'wasm' | 'none' {
    return this.text?.sketcher.kernelKind ?? 'none';
  }

  /** One record through every stage; `vector` is the raw value of the semantic field (ignored without semantic). */
  decide(id: string, text: string, vector: unknown, asReference: boolean): DedupVerdict {
    const verdict = this.decideText(id, text, asReference);
    if (!verdict.keep) return verdict;
    return this.semantic === undefined ? KEEP : this.semantic.decide(id, vector, asReference);
  }

  /** The exact and near verdict for one record (keep when the step compares no text). */
  decideText(id: string, text: string, asReference: boolean): DedupVerdict {
    if (this.text === undefined) return KEEP;
    const { sketcher, index, view } = this.text;
    const config = this.config;
    sketcher.normalize(text);
    let high = 0;
    let low = 0;
    if (config.exact) {
      sketcher.computeExactKey();
      high = sketcher.exactHigh;
      low = sketcher.exactLow;
      const duplicate = index.matchExact(high, low, asReference);
      if (duplicate !== undefined) return duplicate;
    }
    if (config.near === undefined) return index.admit(id, high, low, undefined, asReference);
    sketcher.sketch();
    view.shingles = sketcher.shingles;
    view.shingleStart = 0;
    view.shingleCount = sketcher.shingleCount;
    view.bandKeys = sketcher.bandKeys;
    view.bandOffset = 0;
    view.fromBatch = false;
    return index.admit(id, high, low, view, asReference);
  }

  /**
   * A batch of stage lines cut, read and sketched on this thread, as a sketch worker does it
   * (sketchStageLines): without workers, the batch then goes through enterBatch and decideProbed
   * like a worker's, with this pipeline's own band table.
   */
  sketchLines(bytes: Uint8Array, fields: readonly string[], locator: StageRecordLocator): { lines: StageLines; batch: SketchBatch } {
    return sketchStageLines(bytes, fields, this.text!.sketcher, locator);
  }

  /**
   * The exact step (TextDedupIndex.enter) for every document of a batch a worker sketched, in
   * order: entered[i] is document i's number, or negative for an exact duplicate (−1 − the number
   * of its original). The numbers go to the band partitions, which probe and insert only the
   * documents numbered. `entered` may be a view of shared memory.
   */
  enterBatch(batch: SketchBatch, entered: Int32Array): void {
    const index = this.text!.index;
    for (let doc = 0; doc < batch.count; doc++) entered[doc] = index.enter(batch.exactKeys[doc * 2]!, batch.exactKeys[doc * 2 + 1]!);
  }

  /**
   * The exact and near verdict for document `doc` of a batch, once enterBatch ran and its band
   * partitions answered (`probed`); undefined `probed` with this pipeline's own band table.
   */
  decideProbed(id: string, batch: SketchBatch, doc: number, entered: Int32Array, probed: ProbedCandidates | undefined, asReference: boolean): DedupVerdict {
    const { index, view } = this.text!;
    const number = entered[doc]!;
    if (number < 0) return index.exactVerdict(-1 - number, asReference);
    if (this.config.near === undefined) return index.nearVerdict(id, number, undefined, asReference);
    if (batch.sketched[doc] !== 1) {
      throw new Error(`internal: record ${id} was skipped as a repeated key but is not an exact duplicate`);
    }
    view.shingles = batch.shingles;
    view.shingleStart = batch.shingleStarts[doc]!;
    view.shingleCount = batch.shingleStarts[doc + 1]! - view.shingleStart;
    view.bandKeys = batch.bandKeys;
    view.bandOffset = doc * batch.bands;
    view.fromBatch = true;
    return index.nearVerdict(id, number, view, asReference, probed, doc);
  }

  /**
   * The semantic stage for a chunk whose text verdicts are known: every record still kept is
   * decided (in order, in batches) and its verdict replaced. `vectorOf(index)` reads record index's vector.
   */
  decideSemantic(ids: readonly string[], verdicts: DedupVerdict[], vectorOf: (index: number) => unknown, asReference: boolean): void {
    if (this.semantic === undefined) return;
    const positions: number[] = [];
    for (let index = 0; index < verdicts.length; index++) if (verdicts[index]!.keep) positions.push(index);
    const decided = this.semantic.decideBatch(
      positions.map((index) => ids[index]!),
      positions.map((index) => vectorOf(index)),
      asReference,
    );
    positions.forEach((index, position) => (verdicts[index] = decided[position]!));
  }

  /** Bytes of the band tables held by worker threads (they report them with each answer). */
  externalIndexBytes = 0;
  /** Bytes of the run files of those band tables. */
  externalSpilledBytes = 0;

  /** Releases the index's spill file, if any. */
  close(): void {
    this.text?.index.close();
    this.semantic?.close();
  }

  stats(): DedupStats {
    const text = this.text?.index.stats();
    const semantic = this.semantic?.stats();
    const semanticDrops = semantic?.dropped ?? 0;
    return {
      checked: text?.checked ?? semantic?.checked ?? 0,
      exact: text?.exact ?? 0,
      near: text?.near ?? 0,
      semantic: semanticDrops,
      kept: (text?.kept ?? semantic?.checked ?? 0) - semanticDrops,
      references: text?.references ?? semantic?.references ?? 0,
      indexBytes: (text?.indexBytes ?? 0) + this.externalIndexBytes + (semantic?.indexBytes ?? 0),
      indexSpilledBytes: (text?.indexSpilledBytes ?? 0) + this.externalSpilledBytes + (semantic?.spilledBytes ?? 0),
      largestCluster: Math.max(text?.largestCluster ?? 0, semantic?.largestGroup ?? 0),
      verified: text?.verified ?? 0,
      semanticCompared: semantic?.compared ?? 0,
      semanticIndex: semantic?.index ?? 'none',
      semanticSkippedReferences: semantic?.skippedReferences ?? 0,
    };
  }
}
