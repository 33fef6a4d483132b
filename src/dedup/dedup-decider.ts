import type { DedupConfig } from './dedup-config.js';
import { DedupIndex, type DedupVerdict, type SketchView, type TextDedupStats } from './dedup-index.js';
import { DocumentSketcher, type SketchBatch } from './document-sketcher.js';

/**
 * Glue between the per-document front end (document-sketcher.ts) and the ordered decisions (dedup-index.ts),
 * shared by createDeduper and dedupStream so both follow one sequence:
 *   normalise → exact key → exact duplicate? stop : shingles → signature → band keys → admit.
 * `decideSketched` is the same sequence for a document a worker already sketched.
 */
export class DedupDecider {
  private readonly view: SketchView;

  private constructor(
    private readonly config: DedupConfig,
    private readonly sketcher: DocumentSketcher,
    private readonly index: DedupIndex,
  ) {
    this.view = { shingles: sketcher.shingles, shingleStart: 0, shingleCount: 0, bandKeys: sketcher.bandKeys, bandOffset: 0 };
  }

  static async create(config: DedupConfig, options: { wasm?: boolean } = {}): Promise<DedupDecider> {
    return new DedupDecider(config, await DocumentSketcher.create(config, options), new DedupIndex(config));
  }

  get kernel(): 'js' | 'wasm' | 'none' {
    return this.sketcher.kernelKind;
  }

  stats(): TextDedupStats {
    return this.index.stats();
  }

  decideText(id: string, text: string, asReference: boolean): DedupVerdict {
    const { sketcher, index, config, view } = this;
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
    return index.admit(id, high, low, view, asReference);
  }

  decideSketched(id: string, batch: SketchBatch, doc: number, asReference: boolean): DedupVerdict {
    const { index, config, view } = this;
    const high = batch.exactKeys[doc * 2]!;
    const low = batch.exactKeys[doc * 2 + 1]!;
    if (config.exact) {
      const duplicate = index.matchExact(high, low, asReference);
      if (duplicate !== undefined) return duplicate;
    }
    if (config.near === undefined) return index.admit(id, high, low, undefined, asReference);
    if (batch.sketched[doc] !== 1) {
      throw new Error(`internal: record ${id} was skipped as a repeated key but is not an exact duplicate`);
    }
    view.shingles = batch.shingles;
    view.shingleStart = batch.shingleStarts[doc]!;
    view.shingleCount = batch.shingleStarts[doc + 1]! - view.shingleStart;
    view.bandKeys = batch.bandKeys;
    view.bandOffset = doc * batch.bands;
    return index.admit(id, high, low, view, asReference);
  }
}
