import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { removeTree } from './remove-tree.js';

/** A fresh temporary directory per call, removed after the test. */
export function useTempDirs(): () => string {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) removeTree(dir);
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'synthforge-test-'));
    made.push(dir);
    return dir;
  };
}
