
import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { listVersions } from '../dataset/list-versions.js';
import type { Fields, DataRecord } from '../domain.js';
import type { DedupStep } from '../recipe/recipe.js';
import { readJsonLines, readRecords, writeRecords } from './stage-files.js';
import { dedupStream } from '../dedup/dedup-stream.js';
import type { RejectSink } from './filter-step.js';
import type { StepCounts } from './run-report.js';

/**
 * Dedup across versions (`dedup: { against: previous }`). Each version carries, per dedup step, the
 * fields that step compares for every record of the version (`dedup-references-<step>.jsonl`). A
 * later run feeds those of every earlier version to the deduper as references: indexed, never
 * emitted, so a new record near-duplicate to anything already published is dropped.
 *
 * The final records are used (not the records at the dedup step), because what matters is what
 * the versions contain; the compared fields are still there, since steps only add fields.
 */

export function referenceFileName(step: DedupStep): string {
  return `dedup-references-${step.name}.jsonl`;
}

/** The top-level fields a dedup step reads (`meta.score` → `meta`). */
function comparedFields(step: DedupStep): string[] {
  const spec = step.spec as { fields?: string[]; semantic?: { field?: string } };
  const paths = [...(spec.fields ?? []), ...(spec.semantic?.field ? [spec.semantic.field] : [])];
  return [...new Set(paths.map((path) => path.split(/[.[]/)[0]!))];
}

/** Writes one references file per dedup step (into `directory`); returns them as extra version files. */
export async function writeDedupReferences(finalStage: string, steps: DedupStep[], directory: string): Promise<{ from: string; name: string }[]> {
  if (steps.length === 0) return [];
  const outputs = steps.map((step) => ({ step, fields: comparedFields(step), path: join(directory, referenceFileName(step)) }));
  const streams = outputs.map((output) => createWriteStream(output.path));
  for await (const record of readRecords(finalStage)) {
    for (const [index, output] of outputs.entries()) {
      const picked: Fields = {};
      for (const field of output.fields) if (field in record.fields) picked[field] = record.fields[field];
      if (!streams[index]!.write(`${JSON.stringify({ id: record.id, fields: picked })}\n`)) await once(streams[index]!, 'drain');
    }
  }
  await Promise.all(streams.map(async (stream) => {
    stream.end();
    await once(stream, 'finish');
  }));
  return outputs.map((output) => ({ from: output.path, name: referenceFileName(output.step) }));
}

/** The records of every earlier version of `dataset`, as references for `step`. */
export async function* previousReferences(outputsRoot: string, dataset: string, step: DedupStep): AsyncIterable<{ id: string; fields: Fields }> {
  if (!existsSync(join(outputsRoot, dataset))) return;
  for (const version of await listVersions(outputsRoot, dataset)) {
    const path = join(version.dir, referenceFileName(step));
    if (!existsSync(path)) continue;
    for await (const reference of readJsonLines<{ id: string; fields: Fields }>(path)) {
      yield { id: `${version.version}:${reference.id}`, fields: reference.fields };
    }
  }
}

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
