import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** CHROMIUM_PATH, else the usual Debian/Ubuntu/Chrome locations; undefined when none is installed. */
export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return CANDIDATES.find((path) => existsSync(path));
}

export const NO_BROWSER_LINE =
  'synthforge view browser tests skipped: no Chromium found (install it: `apt-get install chromium`, or set CHROMIUM_PATH to a Chromium/Chrome executable)';
