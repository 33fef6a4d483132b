/** Published versions have read-only folders: the temp-dir cleanup (useTempDirs) must still remove them for a user who is not root. */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { removeTree } from './remove-tree.js';

/** A dataset folder holding a version as publishing leaves it: files 0444, folders 0555. */
const MAKE_AND_REMOVE = (helper: string) => `
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const { removeTree } = await import(${JSON.stringify(helper)});
const root = mkdtempSync(join(tmpdir(), 'synthforge-remove-'));
const version = join(root, 'ds', 'v1');
mkdirSync(join(version, 'data'), { recursive: true });
writeFileSync(join(version, 'data', 'train.jsonl'), '{}\\n');
chmodSync(join(version, 'data', 'train.jsonl'), 0o444);
chmodSync(join(version, 'data'), 0o555);
chmodSync(version, 0o555);
removeTree(root);
process.stdout.write(existsSync(root) ? 'still there' : 'removed');
`;

/** Whether another user can reach the checkout (its modules and tsx): a `mktemp -d` clone is 0700. */
function reachableByOthers(path: string): boolean {
  for (let dir = path; ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dirname(dir) === dir) return true;
  }
}

const asRoot = process.getuid?.() === 0;
const unreachable = asRoot && !reachableByOthers(process.cwd());
if (unreachable) console.log('remove-tree: skipping the non-root check: the checkout is not readable by other users (e.g. a mktemp -d clone)');

describe('removeTree', () => {
  it.skipIf(unreachable)('removes a tree with read-only version folders as their non-root owner', () => {
    const helper = pathToFileURL(join(process.cwd(), 'test', 'helpers', 'remove-tree.ts')).href;
    // Root ignores permissions, so the check runs as an ordinary user when it can.
    const asUser = asRoot ? { uid: 65534, gid: 65534 } : {};
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', MAKE_AND_REMOVE(helper)], {
      cwd: process.cwd(),
      encoding: 'utf8',
      ...asUser,
    });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('removed');
  });

  it('removes a read-only tree in this process too', () => {
    const root = mkdtempSync(join(tmpdir(), 'synthforge-remove-'));
    mkdirSync(join(root, 'v1', 'data'), { recursive: true });
    writeFileSync(join(root, 'v1', 'data', 'a.jsonl'), '');
    chmodSync(join(root, 'v1', 'data'), 0o555);
    chmodSync(join(root, 'v1'), 0o555);
    removeTree(root);
    expect(existsSync(root)).toBe(false);
  });
});
