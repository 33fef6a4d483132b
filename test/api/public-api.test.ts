/** The README's "Using datasets from code" example, run as written (offline). */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffVersions, listVersions, openDataset, openProviders, runRecipe, type ProviderCatalog, type RunEvent } from '../../src/index.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

describe('public API', () => {
  it('runs a recipe with progress events, opens the pinned version with typed rows, lists and diffs versions', async () => {
    const dir = tempDir();
    cpSync(join(process.cwd(), 'recipes'), join(dir, 'recipes'), { recursive: true });
    const events: RunEvent[] = [];
    const summary = await runRecipe('recipes/quickstart.yaml', {
      cwd: dir,
      offline: true,
      emulator: { faults: { timing: { validatingMs: 5, inProgressMs: 10, finalizingMs: 5 } } },
      pollIntervalMs: { initial: 5, max: 20 },
      onEvent: (event) => events.push(event),
    });
    expect(summary.output?.version).toBe('v1');
    expect(events.filter((event) => event.type === 'shard-collect').length).toBeGreaterThanOrEqual(2);

    const outputs = join(dir, 'outputs');
    const dataset = await openDataset(outputs, 'support-qa@v1');
    expect(dataset.splits).toEqual(['train']);
    expect(dataset.manifest.recipe?.sha256).toMatch(/^[0-9a-f]{64}$/);
    if (dataset.format !== 'openai-chat') throw new Error(`expected openai-chat, got ${dataset.format}`);
    let rows = 0;
    for await (const row of dataset.rows('train')) {
      expect(row.messages[0]?.role).toBe('user');
      rows++;
    }
    expect(rows).toBe(summary.output!.rows);

    expect((await listVersions(outputs, 'support-qa')).map((version) => version.version)).toEqual(['v1']);
    const diff = await diffVersions(outputs, 'support-qa', 'v1', 'latest');
    expect(diff.counts).toMatchObject({ added: 0, removed: 0, changed: 0, unchanged: rows });
  });

  it('runs through a provider catalog the caller hands in (the README example), and the engine uses only that catalog', async () => {
    const dir = tempDir();
    cpSync(join(process.cwd(), 'recipes'), join(dir, 'recipes'), { recursive: true });
    const offline = await openProviders({ offline: true, cwd: dir, emulator: { faults: { timing: { validatingMs: 5, inProgressMs: 10, finalizingMs: 5 } } } });
    const opened: string[] = [];
    const catalog: ProviderCatalog = {
      ...offline.catalog,
      capabilities: (provider) => offline.catalog.capabilities(provider),
      checkCredentials: (providers) => offline.catalog.checkCredentials(providers),
      open: (model, options) => {
        opened.push(`${model.provider}/${model.model}`);
        return offline.catalog.open(model, options);
      },
    };
    try {
      const summary = await runRecipe('recipes/quickstart.yaml', { cwd: dir, providers: catalog, pollIntervalMs: { initial: 5, max: 20 }, env: {} });
      expect(summary.status).toBe('completed');
      expect(summary.offline).toBe(true);
      // One open per generate step (the quickstart has two, both openai/gpt-4o-mini).
      expect(opened).toEqual(['openai/gpt-4o-mini', 'openai/gpt-4o-mini']);
    } finally {
      await offline.close();
    }
  });
});
