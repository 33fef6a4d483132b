#!/usr/bin/env node
// tsc compiles only TypeScript; the data viewer's page files (src/view/static/: one HTML, one JS
// module, one CSS) are served from beside the compiled server, so the build copies them there.
import { cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
cpSync(join(root, 'src', 'view', 'static'), join(root, 'dist', 'view', 'static'), { recursive: true });
