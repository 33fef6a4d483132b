import { resolve } from 'node:path';
import { costOf, createdAtOf, modelsOf, recipeOf, stepsOf, type CostView, type RecipeView, type StepView } from '../../dataset/manifest-views.js';
import { openDataset } from '../../dataset/open-dataset.js';
import type { OutputFormat } from '../../dataset/output-spec.js';
import type { DataFileInfo } from '../../dataset/split-shards.js';

const DEFAULT_SAMPLES = 3;

export interface ShowReport {
  version: 1;
  dataset: string;
  datasetVersion: string;
  dir: string;
  format: OutputFormat;
  createdAt: string;
  contentHash: string;
  parentVersion: string | null;
  rows: number;
  splits: Record<string, number>;
  unmapped: number;
  files: DataFileInfo[];
  recipe: RecipeView;
  models: string[];
  cost: CostView;
  steps: StepView[];
  samples: { split: string; row: Record<string, unknown> }[];
}

/** `synthforge show <dataset>[@vN]`: counts, cost, steps and the first few rows. */
export async function showCommand(options: { ref: string; cwd: string; out?: string; samples?: number; split?: string }): Promise<ShowReport> {
  const opened = await openDataset(resolve(options.cwd, options.out ?? 'outputs'), options.ref);
  const { manifest } = opened;
  const wanted = options.samples ?? DEFAULT_SAMPLES;
  const samples: ShowReport['samples'] = [];
  for (const split of options.split === undefined ? opened.splits : [options.split]) {
    if (samples.length >= wanted) break;
    for await (const row of opened.rows(split) as AsyncIterable<Record<string, unknown>>) {
      samples.push({ split, row });
      if (samples.length >= wanted) break;
    }
  }
  return {
    version: 1,
    dataset: opened.dataset,
    datasetVersion: opened.version,
    dir: opened.dir,
    format: opened.format,
    createdAt: createdAtOf(manifest),
    contentHash: manifest.content_hash,
    parentVersion: manifest.parent_version ?? null,
    rows: manifest.rows,
    splits: manifest.splits,
    unmapped: manifest.unmapped ?? 0,
    files: manifest.files,
    recipe: recipeOf(manifest),
    models: modelsOf(manifest),
    cost: costOf(manifest),
    steps: stepsOf(manifest),
    samples,
  };
}
