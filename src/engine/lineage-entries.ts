/** The lineage entry emitting appends to each sample (emit-samples.ts). */
import type { LineageEntry } from '../domain.js';

/** What every entry of a step shares. */
export type StepOfEntry = Pick<LineageEntry, 'step' | 'provider' | 'model'>;

/** What differs from one sample to the next: the shard that answered it. */
export type AnsweringShard = { batchId?: string };

/**
 * A step's lineage entries, as objects and as the text `JSON.stringify` writes for them: the parts
 * every sample shares are serialised once, and a sample's entry costs one template instead of an
 * object and its serialisation.
 */
export class LineageEntries {
  private readonly head: string;
  private readonly middle: string;
  /** The batch id's member of the shard last asked about: samples come in runs from one shard. */
  private lastShard: AnsweringShard | undefined;
  private batchPart = '';

  constructor(private readonly step: StepOfEntry) {
    // Serialised as parts of the whole entry, so a member left undefined is left out as JSON.stringify leaves it out.
    const head = JSON.stringify({ step: step.step });
    this.head = `${head.slice(0, -1)}${head === '{}' ? '' : ','}"requestKey":`;
    const rest = JSON.stringify({ provider: step.provider, model: step.model });
    this.middle = rest === '{}' ? '' : `,${rest.slice(1, -1)}`;
  }

  entry(requestKey: string, shard: AnsweringShard, cached: boolean, attempt: number): LineageEntry {
    return {
      step: this.step.step,
      requestKey,
      provider: this.step.provider,
      model: this.step.model,
      ...(shard.batchId ? { batchId: shard.batchId } : {}),
      ...(cached ? { cached: true } : {}),
      attempt,
    };
  }

  /** `JSON.stringify(this.entry(…))`. */
  text(requestKey: string, shard: AnsweringShard, cached: boolean, attempt: number): string {
    if (shard !== this.lastShard) {
      this.lastShard = shard;
      this.batchPart = shard.batchId ? `,"batchId":${JSON.stringify(shard.batchId)}` : '';
    }
    return `${this.head}${JSON.stringify(requestKey)}${this.middle}${this.batchPart}${cached ? ',"cached":true' : ''},"attempt":${JSON.stringify(attempt)}}`;
  }
}
