import type { DataRecord } from '../domain.js';
import { dedupStream } from '../dedup/dedup-stream.js';
import type { DedupStep } from '../recipe/recipe.js';
import { readRecords, writeRecords } from './record-file.js';
import type { RejectSink } from './filter-step.js';
import type { StepCounts } from './step-counts.js';

/**
 * A dedup step: exact then near-duplicate removal, keeping the first record of each cluster (records
 * arrive in stable-id order). `references` are records of earlier dataset versions (`against:
 * previous`): indexed, never emitted.
 */
export async function runDedupStep(
  step: DedupStep,
  inputPath: string,
  outputPath: string,
  options: { references?: AsyncIterable<{ id: string; fields: Record<string, unknown> }>; rejects?: RejectSink } = {},
): Promise<StepCounts> {
  const counts: StepCounts = { input: 0, output: 0, duplicates: { exact: 0, near: 0, semantic: 0 } };
  async function* kept(): AsyncIterable<DataRecord> {
    const verdicts = dedupStream(readRecords(inputPath), step.spec, options.references ? { references: options.references } : {});
    for await (const { record, verdict } of verdicts) {
      counts.input++;
      if (verdict.keep) {
        counts.output++;
        yield record;
        continue;
      }
      counts.duplicates![verdict.reason]++;
      const measure = verdict.reason === 'semantic' ? 'cosine' : 'Jaccard';
      const similarity = verdict.similarity === undefined ? '' : ` (${measure} ${verdict.similarity.toFixed(3)})`;
      await options.rejects?.write(record, step.name, `${verdict.reason} duplicate of ${verdict.duplicateOf}${similarity}`);
    }
  }
  await writeRecords(outputPath, kept());
  return counts;
}
