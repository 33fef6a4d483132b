import { describe, expect, it } from 'vitest';
import { diffVersions } from '../../src/dataset/diff-versions.js';
import { canonicalJson, sampleContentHash } from '../../src/dataset/sample-hash.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { CHAT, MANIFEST, qaRecords, writeVersion } from './fixtures.js';

const tempDir = useTempDirs();

const SPLIT = { ...CHAT, splits: { train: 0.8, test: 0.2 } };

describe('diffVersions', () => {
  it('finds added, removed and changed samples by id and content hash, with rows per split and step counts', async () => {
    const root = tempDir();
    // v1: records 0..19. v2: 5..24, with 10..12 answered differently.
    await writeVersion(root, qaRecords(20), SPLIT);
    const changed = qaRecords(3, { start: 10, answerSuffix: ' (revised)' });
    const v2Records = [...qaRecords(5, { start: 5 }), ...changed, ...qaRecords(12, { start: 13 })];
    const laterManifest = { ...MANIFEST, steps: [{ name: 'question', kind: 'generate', counts: { input: 20, output: 25, requested: 25, succeeded: 25 } }] };
    await writeVersion(root, v2Records, SPLIT, { manifest: laterManifest });

    const diff = await diffVersions(root, 'support-qa', 'v1', 'v2');
    expect(diff.counts).toEqual({ added: 5, removed: 5, changed: 3, unchanged: 12, movedSplit: 0 });
    expect(diff.added.sort()).toEqual(['s0-000020', 's0-000021', 's0-000022', 's0-000023', 's0-000024']);
    expect(diff.removed.sort()).toEqual(['s0-000000', 's0-000001', 's0-000002', 's0-000003', 's0-000004']);
    expect(diff.changed.sort()).toEqual(['s0-000010', 's0-000011', 's0-000012']);
    expect(diff.identical).toBe(false);
    expect(diff.from.rows).toBe(20);
    expect(diff.to.rows).toBe(20);
    expect(diff.splits.map((split) => split.split)).toEqual(['train', 'test']);
    expect(diff.splits.reduce((sum, split) => sum + split.to, 0)).toBe(20);
    const question = diff.steps.find((step) => step.name === 'question')!;
    expect(question.from).toMatchObject({ input: 10, output: 12 });
    expect(question.to).toMatchObject({ input: 20, output: 25 });
    expect(diff.steps.find((step) => step.name === 'dedup')).toMatchObject({ from: { duplicates: 2 } });
    expect(diff.steps.find((step) => step.name === 'dedup')!.to).toBeUndefined();
  });

  it('reports identical versions, and caps the listed ids but not the counts', async () => {
    const root = tempDir();
    await writeVersion(root, qaRecords(10), SPLIT);
    await writeVersion(root, qaRecords(10), SPLIT, { forceVersion: true });
    await writeVersion(root, qaRecords(40), SPLIT);
    const same = await diffVersions(root, 'support-qa', 'v1', 2);
    expect(same.identical).toBe(true);
    expect(same.counts).toEqual({ added: 0, removed: 0, changed: 0, unchanged: 10, movedSplit: 0 });
    const grown = await diffVersions(root, 'support-qa', 'v1', 'latest', { limit: 4 });
    expect(grown.to.version).toBe('v3');
    expect(grown.counts.added).toBe(30);
    expect(grown.added).toHaveLength(4);
  });

  it('counts samples whose split moved when the split fractions change', async () => {
    const root = tempDir();
    await writeVersion(root, qaRecords(200), SPLIT);
    await writeVersion(root, qaRecords(200), { ...CHAT, splits: { train: 0.5, test: 0.5 } });
    const diff = await diffVersions(root, 'support-qa', 'v1', 'v2');
    expect(diff.counts.unchanged).toBe(200);
    expect(diff.counts.movedSplit).toBeGreaterThan(0);
  });
});

describe('sampleContentHash', () => {
  it('ignores the id and key order, and sees any content change', () => {
    const row = { id: 'a', messages: [{ role: 'user', content: 'x' }], extra: 1 };
    expect(sampleContentHash(row)).toBe(sampleContentHash({ extra: 1, id: 'b', messages: [{ content: 'x', role: 'user' }] }));
    expect(sampleContentHash(row)).not.toBe(sampleContentHash({ ...row, extra: 2 }));
    expect(canonicalJson({ b: [1, { d: 2, c: null }], a: 'x', u: undefined })).toBe('{"a":"x","b":[1,{"c":null,"d":2}]}');
  });
});
