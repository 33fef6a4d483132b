import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataRecord } from '../domain.js';
import { EvalIndex } from '../decontam/eval-index.js';
import { openDataset } from '../dataset/open-dataset.js';
import type { DatasetManifest } from '../dataset/manifest.js';
import type { OutputSpec } from '../dataset/output-spec.js';
import { writeDatasetVersion } from '../dataset/write-version.js';
import { comparedTexts } from './decontaminate-step.js';
import { readRecords, writeRecords } from './stage-files.js';
import { StepRejects } from './step-rejects.js';
import { TOOL_VERSION } from '../version.js';

export interface DecontaminateVersionInput {
  outputsRoot: string;
  /** `<dataset>@vN` (or `<dataset>` for the latest). */
  ref: string;
  against: readonly string[];
  /** Row fields to compare; default every string in the row (chat messages' contents included). */
  fields?: readonly string[];
  evalFields?: readonly string[];
  ngram?: number;
  /** Where relative `against` paths resolve (the working directory). */
  baseDir: string;
}

export interface DecontaminateVersionReport {
  dataset: string;
  from: string;
  version: string;
  dir: string;
  checked: number;
  kept: number;
  removed: number;
  evalItems: number;
  /** The new version's data equal the latest version's (nothing was removed from it): no version added. */
  reusedExisting: boolean;
}

const STEP_NAME = 'decontaminate';

/**
 * `synthforge decontaminate <dataset>@vN --against …`: the version's rows minus those overlapping
 * the evaluation set, written as a new version in the same format, splits and files. Rows keep their
 * ids, so each stays in its split (the split is a hash of the id). The manifest names the version it
 * came from and what was checked; `rejects.jsonl` lists each removed row with what it matched.
 */
export async function decontaminateVersion(input: DecontaminateVersionInput): Promise<DecontaminateVersionReport> {
  const opened = await openDataset(input.outputsRoot, input.ref);
  const index = await EvalIndex.build({
    against: input.against,
    baseDir: input.baseDir,
    ...(input.ngram === undefined ? {} : { ngram: input.ngram }),
    ...(input.evalFields === undefined ? {} : { evalFields: input.evalFields }),
  });
  const scratch = await mkdtemp(join(tmpdir(), 'synthforge-decontam-'));
  try {
    const rejectsPath = join(scratch, 'rejects.jsonl');
    const rejects = new StepRejects(rejectsPath);
    const counts = { input: 0, output: 0, contaminated: 0 };
    async function* kept(): AsyncIterable<DataRecord> {
      for await (const row of opened.rows() as AsyncIterable<Record<string, unknown>>) {
        const { id, ...fields } = row;
        const record: DataRecord = { id: String(id), fields, seedId: String(id), lineage: [] };
        counts.input++;
        const texts = input.fields === undefined ? stringsOf(fields) : comparedTexts(record, input.fields);
        // A row without a named field has nothing of it to leak.
        const match = typeof texts === 'string' ? undefined : index.match(texts);
        if (match === undefined) {
          counts.output++;
          yield record;
        } else {
          counts.contaminated++;
          await rejects.contaminated(record, STEP_NAME, match);
        }
      }
    }
    // The kept rows go through a stage file first, so rejects.jsonl is complete before the version copies it in.
    const stagePath = join(scratch, 'kept.jsonl');
    try {
      await writeRecords(stagePath, kept());
    } catch (error) {
      rejects.abort();
      throw error;
    }
    await rejects.commit();
    const parent = opened.manifest;
    const info = await writeDatasetVersion({
      outputsRoot: input.outputsRoot,
      dataset: opened.dataset,
      records: readRecords(stagePath),
      output: outputSpecOf(parent),
      templates: {},
      manifest: {
        created_at: new Date().toISOString(),
        tool: { name: 'synthforge', version: TOOL_VERSION },
        ...(parent.description === undefined ? {} : { description: parent.description }),
        ...(parent.recipe === undefined ? {} : { recipe: parent.recipe }),
        derived_from: {
          version: opened.version,
          operation: 'decontaminate',
          against: [...input.against],
          ngram: index.ngram,
          ...(input.fields ? { fields: [...input.fields] } : {}),
          ...(input.evalFields ? { eval_fields: [...input.evalFields] } : {}),
          eval_items: index.items,
        },
        steps: [...(Array.isArray(parent.steps) ? parent.steps : []), { name: STEP_NAME, kind: 'decontaminate', counts }],
      },
      ...(counts.contaminated > 0 ? { extraFiles: [{ from: rejectsPath, name: 'rejects.jsonl' }] } : {}),
    });
    return {
      dataset: opened.dataset,
      from: opened.version,
      version: info.version,
      dir: info.dir,
      checked: counts.input,
      kept: counts.output,
      removed: counts.contaminated,
      evalItems: index.items,
      reusedExisting: info.reusedExisting,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The parent's format, splits and file kinds; stratification is not redone (its field is gone from formatted rows). */
function outputSpecOf(manifest: DatasetManifest): OutputSpec {
  const kinds = [...new Set(manifest.files.map((file) => file.format))].filter((kind): kind is 'jsonl' | 'parquet' => kind === 'jsonl' || kind === 'parquet');
  return {
    format: manifest.format,
    splits: manifest.split_spec?.fractions ?? { train: 1 },
    files: kinds.length > 0 ? kinds : ['jsonl'],
    compression: 'zstd',
  };
}

/** Every string of a row, nested ones included (a chat row's message contents). */
function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const element of value) stringsOf(element, out);
  else if (typeof value === 'object' && value !== null) for (const element of Object.values(value)) stringsOf(element, out);
  return out;
}
