/**
 * Colour for what the CLI prints, decided per stream: on for a terminal, off in a pipe, a file or a
 * CI log; `NO_COLOR` (any value but empty) turns it off everywhere and wins over `FORCE_COLOR`, which
 * turns it on where it would be off (`FORCE_COLOR=0` or `false` does not). See no-color.org.
 */
import picocolors from 'picocolors';

export type Colors = ReturnType<typeof picocolors.createColors>;

export function colorsFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Colors {
  return picocolors.createColors(colorEnabled(stream, env));
}

export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (force === '0' || force === 'false') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** A `warning:` or `error:` line with its label coloured; any other line unchanged. */
export function colorLabel(line: string, colors: Colors): string {
  if (line.startsWith('warning: ')) return `${colors.yellow('warning:')}${line.slice('warning:'.length)}`;
  if (line.startsWith('error: ')) return `${colors.red(colors.bold('error:'))}${line.slice('error:'.length)}`;
  return line;
}
