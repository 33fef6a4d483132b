import type { DedupConfig } from './dedup-config.js';
import { DedupDecider } from './dedup-decider.js';
import type { DedupStats, DedupVerdict } from './dedup-index.js';
import { SemanticIndex } from './semantic-index.js';

const KEEP: DedupVerdict = Object.freeze({ keep: true });

/**
 * The methods of one dedup step in their fixed order, exact → near → semantic, each deciding only
 * the records the previous ones kept: the text stage (DedupDecider: exact key, then MinHash-LSH)
 * when the spec compares fields, then the semantic stage (semantic-index.ts) when it has
 * `semantic`. A record dropped as an exact or near duplicate is never embedded-compared, so it never
 * enters the semantic index either. createDeduper and dedupStream both run through this class, and
 * it merges the stages' statistics into one DedupStats.
 */
export class DedupPipeline {
  private constructor(
    readonly config: DedupConfig,
    /** Exact and near dedup; undefined for a semantic-only step. */
    readonly text: DedupDecider | undefined,
    readonly semantic: SemanticIndex | undefined,
  ) {}

  static async create(config: DedupConfig, options: { wasm?: boolean } = {}): Promise<DedupPipeline> {
    const hasText = config.exact || config.near !== undefined;
    const text = hasText ? await DedupDecider.create(config, options) : undefined;
    const semantic = config.semantic === undefined ? undefined : new SemanticIndex(config.semantic, options.wasm === undefined ? {} : { wasm: options.wasm });
    return new DedupPipeline(config, text, semantic);
  }

  /** The MinHash kernel ('none' without near dedup). */
  get kernel(): 'js' | 'wasm' | 'none' {
    return this.text?.kernel ?? 'none';
  }

  /** One record through every stage; `vector` is the raw value of the semantic field (ignored without semantic). */
  decide(id: string, text: string, vector: unknown, asReference: boolean): DedupVerdict {
    if (this.text !== undefined) {
      const verdict = this.text.decideText(id, text, asReference);
      if (!verdict.keep) return verdict;
    }
    return this.semantic === undefined ? KEEP : this.semantic.decide(id, vector, asReference);
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

  stats(): DedupStats {
    const text = this.text?.stats();
    const semantic = this.semantic?.stats();
    const semanticDrops = semantic?.dropped ?? 0;
    return {
      checked: text?.checked ?? semantic?.checked ?? 0,
      exact: text?.exact ?? 0,
      near: text?.near ?? 0,
      semantic: semanticDrops,
      kept: (text?.kept ?? semantic?.checked ?? 0) - semanticDrops,
      references: text?.references ?? semantic?.references ?? 0,
      indexBytes: (text?.indexBytes ?? 0) + (semantic?.indexBytes ?? 0),
      largestCluster: Math.max(text?.largestCluster ?? 0, semantic?.largestGroup ?? 0),
      verified: text?.verified ?? 0,
      semanticCompared: semantic?.compared ?? 0,
      semanticIndex: semantic?.index ?? 'none',
      semanticSkippedReferences: semantic?.skippedReferences ?? 0,
    };
  }
}
