#!/usr/bin/env node
// tsc writes dist/cli/main.js without the executable bit; `npx synthforge` in this folder runs that file
// directly (the package's own bin), so a fresh build must mark it executable.
import { chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

chmodSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js'), 0o755);
