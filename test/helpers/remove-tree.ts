import { chmodSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Removes a tree that may hold published versions: their folders are read-only (0555), and removing
 * an entry needs write permission on its folder, so every folder gets u+w first (root needs none).
 */
export function removeTree(dir: string): void {
  allowWrites(dir);
  rmSync(dir, { recursive: true, force: true });
}

function allowWrites(dir: string): void {
  const found = lstatSync(dir, { throwIfNoEntry: false });
  if (!found?.isDirectory()) return;
  if ((found.mode & 0o300) !== 0o300) chmodSync(dir, (found.mode & 0o7777) | 0o300);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) allowWrites(join(dir, entry.name));
  }
}
