#!/usr/bin/env node
// Makes `npm test` work on a clean clone: installs exactly the lockfile's tree when node_modules is
// missing or was installed from a different lockfile, then leaves a stamp so later runs skip it.
// Plain Node with no dependencies, because it runs before any dependency exists.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.synthforge-lock-hash');
const lockHash = createHash('sha256').update(readFileSync(lock)).digest('hex');

const installed = existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === lockHash;
if (!installed) {
  // A missing tree gets the lockfile's exact tree; an existing one is brought in line with it.
  const fresh = !existsSync(join(root, 'node_modules'));
  const args = fresh ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  console.error(`[synthforge] npm ${args[0]}: node_modules does not match package-lock.json`);
  const result = spawnSync('npm', args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(stamp, createHash('sha256').update(readFileSync(lock)).digest('hex') + '\n');
}
