/**
 * The JSON routes about published datasets: versions, a version's summary and rows (paged and
 * searched), one sample's story, why samples were dropped, dedup clusters, costs, and a diff.
 * Every name in a path is checked before it reaches a file path (dataset names by the dataset
 * module itself, the rest in view-paths.ts).
 */
import { readdir } from 'node:fs/promises';
import type { Context, Hono } from 'hono';
import { diffVersions } from '../dataset/diff-versions.js';
import { listVersions, type VersionSummary } from '../dataset/list-versions.js';
import { costOf, createdAtOf, modelsOf, recipeOf, stepsOf } from '../dataset/manifest-views.js';
import { openDataset, type OpenedDataset } from '../dataset/open-dataset.js';
import { UsageError } from '../errors.js';
import { costBreakdown } from './cost-breakdown.js';
import { dedupClusters, invalidGroups, rejectGroups } from './reject-groups.js';
import { RowPages } from './row-pages.js';
import { sampleStory } from './sample-story.js';
import { searchRows } from './search-rows.js';
import { SplitIds } from './split-ids.js';
import { checkedSampleId, checkedSplit, type ViewRoots } from './view-paths.js';

const MAX_PAGE = 500;

export function addDatasetRoutes(app: Hono, roots: ViewRoots): void {
  const ids = new SplitIds();
  const pages = new RowPages(ids);
  const open = (c: Context): Promise<OpenedDataset> => openDataset(roots.outputsRoot, `${c.req.param('dataset')}@${c.req.param('version')}`);

  app.get('/api/datasets', async (c) => c.json({ outputsRoot: roots.outputsRoot, datasets: await listDatasets(roots.outputsRoot) }));

  app.get('/api/datasets/:dataset', async (c) => c.json({ dataset: c.req.param('dataset'), versions: await listVersions(roots.outputsRoot, c.req.param('dataset')) }));

  app.get('/api/datasets/:dataset/diff/:from/:to', async (c) => {
    const limit = intParam(c, 'limit', 50, 1, MAX_PAGE);
    return c.json(await diffVersions(roots.outputsRoot, c.req.param('dataset'), c.req.param('from'), c.req.param('to'), { limit }));
  });

  app.get('/api/datasets/:dataset/:version', async (c) => {
    const opened = await open(c);
    const { manifest } = opened;
    return c.json({
      dataset: opened.dataset,
      version: opened.version,
      format: opened.format,
      createdAt: createdAtOf(manifest),
      contentHash: manifest.content_hash,
      parentVersion: manifest.parent_version ?? null,
      runId: manifest.run_id ?? null,
      rows: manifest.rows,
      splits: manifest.splits,
      unmapped: manifest.unmapped ?? 0,
      rejected: manifest.rejected ?? null,
      recipe: recipeOf(manifest),
      models: modelsOf(manifest),
      cost: costOf(manifest),
      steps: stepsOf(manifest),
    });
  });

  app.get('/api/datasets/:dataset/:version/rows', async (c) => {
    const opened = await open(c);
    const split = splitParam(c, opened);
    return c.json(await pages.page(opened, split, intParam(c, 'offset', 0, 0, Number.MAX_SAFE_INTEGER), intParam(c, 'limit', 50, 1, MAX_PAGE)));
  });

  app.get('/api/datasets/:dataset/:version/search', async (c) => {
    const opened = await open(c);
    const split = splitParam(c, opened);
    const query = c.req.query('q') ?? '';
    if (query === '' || query.length > 200) throw new UsageError('view_query_invalid', 'q: expected 1 to 200 characters to search for');
    return c.json(await searchRows(opened, split, query, intParam(c, 'from', 0, 0, Number.MAX_SAFE_INTEGER), intParam(c, 'limit', 50, 1, MAX_PAGE), ids));
  });

  app.get('/api/datasets/:dataset/:version/samples/:id', async (c) => {
    const opened = await open(c);
    const id = checkedSampleId(c.req.param('id'));
    const story = await sampleStory(roots, opened, id);
    if (!story) return c.json({ error: { code: 'sample_not_found', message: `${opened.dataset}@${opened.version} has no sample "${id}" (neither a row nor a reject)` } }, 404);
    return c.json(story);
  });

  app.get('/api/datasets/:dataset/:version/problems', async (c) => {
    const opened = await open(c);
    return c.json({ rejects: await rejectGroups(opened), invalid: await invalidGroups(roots, opened) });
  });

  app.get('/api/datasets/:dataset/:version/dedup', async (c) => {
    const opened = await open(c);
    return c.json({ steps: stepsOf(opened.manifest).filter((step) => step.kind === 'dedup'), ...(await dedupClusters(opened, intParam(c, 'limit', 50, 1, MAX_PAGE))) });
  });

  app.get('/api/datasets/:dataset/:version/costs', async (c) => c.json(costBreakdown(roots, await open(c))));
}

/** Datasets with at least one version, each with its versions, by name. */
async function listDatasets(outputsRoot: string): Promise<{ name: string; versions: VersionSummary[] }[]> {
  const entries = await readdir(outputsRoot, { withFileTypes: true }).catch(() => []);
  const datasets: { name: string; versions: VersionSummary[] }[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || !/^[a-z0-9][a-z0-9-]*$/.test(entry.name)) continue;
    const versions = await listVersions(outputsRoot, entry.name).catch(() => []);
    if (versions.length > 0) datasets.push({ name: entry.name, versions });
  }
  return datasets;
}

function splitParam(c: Context, opened: OpenedDataset): string {
  const split = c.req.query('split') ?? opened.splits[0];
  if (split === undefined) throw new UsageError('view_query_invalid', `${opened.dataset}@${opened.version} has no splits`);
  checkedSplit(split);
  if (!opened.splits.includes(split)) {
    throw new UsageError('view_query_invalid', `${opened.dataset}@${opened.version} has no split "${split}"; splits: ${opened.splits.join(', ')}`);
  }
  return split;
}

function intParam(c: Context, name: string, fallback: number, min: number, max: number): number {
  const text = c.req.query(name);
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new UsageError('view_query_invalid', `${name}: expected a whole number ${min}..${max === Number.MAX_SAFE_INTEGER ? '' : max}, got "${text.slice(0, 40)}"`);
  return value;
}
