#!/usr/bin/env node
// The data viewer's tests drive a real Chromium (playwright-core, no bundled browser). On a clean
// Debian CI machine running as root, install the distribution's chromium once; anywhere else, or if
// that fails, say so in one line and carry on: the browser tests then skip with their own line.
// Plain Node with no dependencies, like ensure-deps.mjs.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const found = (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) || CANDIDATES.some((path) => existsSync(path));
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;

if (!found && isRoot && hasApt) {
  console.error('[synthforge] installing chromium for the viewer\'s browser tests (apt-get install -y chromium)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'ignore', env }) : update;
  if (install.status !== 0) console.error('[synthforge] could not install chromium; the browser tests will skip (set CHROMIUM_PATH to a Chromium to run them)');
}
