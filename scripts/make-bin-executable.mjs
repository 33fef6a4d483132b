#!/usr/bin/env node
// tsc writes dist/cli/bin.js (the package's bin, which loads main.js) without the executable bit;
// `npx synthforge` in this folder runs that file directly, so a fresh build must mark it executable.
// main.js stays executable too: it runs on its own, with V8's default collector settings.
import { chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

for (const file of ['bin.js', 'main.js']) chmodSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', file), 0o755);
