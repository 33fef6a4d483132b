import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStagingDir, publishVersion, safeJoin, versionNumbers } from '../../src/dataset/version-store.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

describe('version store', () => {
  it('publishes under the next free number when another writer took the one it planned', async () => {
    const datasetDir = tempDir();
    mkdirSync(join(datasetDir, 'v1'));
    writeFileSync(join(datasetDir, 'v1', 'manifest.json'), 'the other writer');
    const staging = await createStagingDir(datasetDir);
    const prepared: number[] = [];
    const number = await publishVersion(staging, datasetDir, 1, async (candidate) => {
      prepared.push(candidate);
      writeFileSync(join(staging, 'manifest.json'), `v${candidate}`);
    });
    expect(number).toBe(2);
    expect(prepared).toEqual([1, 2]);
    expect(readFileSync(join(datasetDir, 'v1', 'manifest.json'), 'utf8')).toBe('the other writer');
    expect(readFileSync(join(datasetDir, 'v2', 'manifest.json'), 'utf8')).toBe('v2');
    expect(readdirSync(datasetDir).sort()).toEqual(['v1', 'v2']);
  });

  it('counts only v<N> folders as versions', async () => {
    const datasetDir = tempDir();
    for (const name of ['v1', 'v10', 'v2', 'v02', 'v0', 'vx', '.staging-1-ab']) mkdirSync(join(datasetDir, name));
    writeFileSync(join(datasetDir, 'v3'), 'a file, not a version');
    expect(await versionNumbers(datasetDir)).toEqual([1, 2, 10]);
    expect(await versionNumbers(join(datasetDir, 'missing'))).toEqual([]);
  });

  it('keeps joined paths inside the root', () => {
    expect(safeJoin('/out', 'support-qa', 'v1')).toBe('/out/support-qa/v1');
    expect(() => safeJoin('/out', '..', 'etc')).toThrow(/outside the output root/);
    expect(() => safeJoin('/out', '/etc/passwd')).not.toThrow();
    expect(() => safeJoin('/out', '')).toThrow(/outside the output root/);
  });
});
