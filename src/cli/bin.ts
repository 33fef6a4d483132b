#!/usr/bin/env node
/**
 * The `synthforge` executable: sets the V8 flags the command line runs with (v8-flags.ts says which
 * and why), then loads it (main.ts). The flags are set here, before main.ts and its modules are
 * loaded, so that no garbage collection is under way when they change. V8 flags are process-wide:
 * worker threads follow them too. A program that runs recipes through the library keeps whatever
 * flags its own process was started with.
 */
import { setFlagsFromString } from 'node:v8';
import { cliV8Flags } from './v8-flags.js';

for (const flag of cliV8Flags()) setFlagsFromString(flag);
await import('./main.js');
