/**
 * The output root check on its own, and again at publish time: a folder changed while a run was
 * being paid for (a link planted under the root) still cannot make a version land outside it.
 */
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutputRoot } from '../../src/dataset/version-store.js';
import { SynthforgeError } from '../../src/errors.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { CHAT, qaRecords, writeVersion } from '../dataset/fixtures.js';

const tempDir = useTempDirs();

async function refusal(check: Promise<unknown>): Promise<SynthforgeError> {
  try {
    await check;
  } catch (error) {
    expect(SynthforgeError.isInstance(error)).toBe(true);
    return error as SynthforgeError;
  }
  throw new Error('the check passed');
}

describe('checkOutputRoot', () => {
  it('accepts a root that can be created, several levels down, without creating it', async () => {
    const root = join(tempDir(), 'a', 'b', 'outputs');
    await checkOutputRoot(root, 'support-qa');
    expect(existsSync(join(root, '..', '..'))).toBe(false);
  });

  it('accepts a dataset folder that is a link to a folder inside the root', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'real-folder'));
    symlinkSync(join(root, 'real-folder'), join(root, 'support-qa'));
    await checkOutputRoot(root, 'support-qa');
  });

  it('refuses a dataset folder that is a link to nothing, naming it', async () => {
    const root = tempDir();
    symlinkSync(join(root, 'gone'), join(root, 'support-qa'));
    const error = await refusal(checkOutputRoot(root, 'support-qa'));
    expect(error).toMatchObject({ code: 'output_root_invalid', exitCode: 2 });
    expect(error.message).toContain(`${join(root, 'support-qa')} is a symbolic link to nothing`);
  });

  it('refuses a version name taken by a file', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'support-qa'));
    writeFileSync(join(root, 'support-qa', 'v2'), '');
    const error = await refusal(checkOutputRoot(root, 'support-qa'));
    expect(error.message).toContain(`${join(root, 'support-qa', 'v2')} is not a directory`);
  });
});

describe('writeDatasetVersion', () => {
  it('refuses to publish through a dataset link that leads outside the root, writing nothing there', async () => {
    const root = tempDir();
    const elsewhere = tempDir();
    symlinkSync(elsewhere, join(root, 'support-qa'));
    const error = await refusal(writeVersion(root, qaRecords(5), CHAT));
    expect(error.code).toBe('output_root_invalid');
    expect(error.message).toContain(`outside the output root ${root}`);
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});
