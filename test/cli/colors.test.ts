import { describe, expect, it } from 'vitest';
import { colorEnabled, colorsFor } from '../../src/cli/render/colors.js';
import { LineProgress } from '../../src/cli/render/progress.js';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const ESCAPE = '\x1b[';

describe('colour', () => {
  it('is on for a terminal, off in a pipe; NO_COLOR turns it off and wins over FORCE_COLOR, which turns it on', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false);
  });

  it('colours the warning label of a progress line, and only the label', () => {
    const lines: string[] = [];
    new LineProgress((text) => lines.push(text), colorsFor({}, { FORCE_COLOR: '1' })).onEvent({ type: 'warning', message: 'split "test" got no rows' });
    expect(lines).toEqual(['\x1b[33mwarning:\x1b[39m split "test" got no rows\n']);
  });

  it('an error printed by the CLI is red with FORCE_COLOR, plain with NO_COLOR too, and plain in a pipe', async () => {
    const forced = await runCli(['show', 'nothing'], { cwd: tempDir(), env: { FORCE_COLOR: '1' } });
    expect(forced.stderr).toContain(`${ESCAPE}31m`);
    expect(forced.stderr).toMatch(/error:.*no dataset "nothing"/);
    const off = await runCli(['show', 'nothing'], { cwd: tempDir(), env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(off.stderr).toMatch(/^error: no dataset "nothing"/);
    expect(off.stderr).not.toContain(ESCAPE);
    const piped = await runCli(['show', 'nothing'], { cwd: tempDir() });
    expect(piped.stderr).not.toContain(ESCAPE);
    expect(piped.code).toBe(off.code);
  });
});
