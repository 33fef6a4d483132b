import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffCommand } from '../../src/cli/commands/diff.js';
import { exportCommand } from '../../src/cli/commands/export.js';
import { showCommand } from '../../src/cli/commands/show.js';
import { versionsCommand } from '../../src/cli/commands/versions.js';
import { renderDiff } from '../../src/cli/render/diff.js';
import { renderExport } from '../../src/cli/render/export.js';
import { renderShow } from '../../src/cli/render/show.js';
import { renderVersions } from '../../src/cli/render/versions.js';
import { SynthforgeError } from '../../src/errors.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { CHAT, qaRecords, writeVersion } from './fixtures.js';

const tempDir = useTempDirs();

/** A project folder whose default `outputs/` holds support-qa v1 (10 rows) and v2 (14 rows). */
async function project(): Promise<string> {
  const cwd = tempDir();
  await writeVersion(join(cwd, 'outputs'), qaRecords(10), CHAT);
  await writeVersion(join(cwd, 'outputs'), qaRecords(14), CHAT);
  return cwd;
}

describe('dataset commands', () => {
  it('versions: lists versions under ./outputs, or --out', async () => {
    const cwd = await project();
    const report = await versionsCommand({ dataset: 'support-qa', cwd });
    expect(report.versions.map((version) => version.version)).toEqual(['v1', 'v2']);
    const text = renderVersions(report);
    expect(text).toMatch(/^support-qa \(2 versions in /);
    expect(text).toMatch(/v1 +2026-01-01 00:00:00 {2}10 rows \(train 10\) {2}openai-chat {2}\$0\.0123/);
    const elsewhere = await versionsCommand({ dataset: 'support-qa', cwd: tempDir(), out: join(cwd, 'outputs') });
    expect(elsewhere.versions).toHaveLength(2);
  });

  it('show: counts, cost, steps and a few samples of the latest or a named version', async () => {
    const cwd = await project();
    const latest = await showCommand({ ref: 'support-qa', cwd });
    expect(latest).toMatchObject({ version: 1, datasetVersion: 'v2', rows: 14, format: 'openai-chat', parentVersion: 'v1', models: ['openai/gpt-4o-mini'] });
    expect(latest.samples).toHaveLength(3);
    expect(latest.cost.usd).toBe(0.0123);
    const first = await showCommand({ ref: 'support-qa@v1', cwd, samples: 1 });
    expect(first.samples).toEqual([{ split: 'train', row: expect.objectContaining({ id: 's0-000000' }) }]);
    const text = renderShow(latest);
    expect(text).toMatch(/^support-qa@v2 {2}openai-chat {2}14 rows \(train 14\)/);
    expect(text).toContain('dedup [dedup] 12 → 10  2 duplicates');
    expect(text).toContain('[train] {"id":"s0-000000"');
    expect(JSON.parse(JSON.stringify(latest))).toEqual(latest);
  });

  it('diff: added samples between two versions', async () => {
    const cwd = await project();
    const diff = await diffCommand({ dataset: 'support-qa', from: 'v1', to: 'v2', cwd, limit: 2 });
    expect(diff.counts).toMatchObject({ added: 4, removed: 0, changed: 0, unchanged: 10 });
    const text = renderDiff(diff);
    expect(text).toContain('support-qa v1 → v2: 10 → 14 rows');
    expect(text).toContain('samples: 4 added, 0 removed, 0 changed, 10 unchanged');
    expect(text).toContain('added: s0-000010, s0-000011, … (2 more)');
  });

  it('export: writes the file relative to cwd and checks the format name', async () => {
    const cwd = await project();
    const report = await exportCommand({ ref: 'support-qa@v1', format: 'alpaca', file: 'train.jsonl', cwd });
    expect(report.file).toBe(join(cwd, 'train.jsonl'));
    expect(readFileSync(report.file, 'utf8').split('\n').filter(Boolean)).toHaveLength(10);
    expect(renderExport(report)).toMatch(/support-qa@v1 \(openai-chat\) → .*train\.jsonl: 10 alpaca rows as jsonl/);
    const error = await exportCommand({ ref: 'support-qa', format: 'chatml', file: 'x.jsonl', cwd }).catch((caught: unknown) => caught);
    expect(SynthforgeError.isInstance(error) && error.code).toBe('format_unknown');
    expect((error as Error).message).toContain('expected one of: raw, openai-chat, sharegpt, alpaca, prompt-completion, preference');
  });

  it('an unknown dataset is a usage error (exit code 2) that names the known ones', async () => {
    const cwd = await project();
    const error = await versionsCommand({ dataset: 'support-qb', cwd }).catch((caught: unknown) => caught);
    expect(SynthforgeError.isInstance(error) && error.exitCode).toBe(2);
    expect((error as Error).message).toMatch(/no dataset "support-qb" .*datasets: support-qa/);
  });
});
