import type { SeedPosition } from './seed-source.js';

/** `file:line[:column]` where there are lines (editors can jump there), then row or record if known. */
export function formatSeedPosition(position: SeedPosition): string {
  let text = position.file;
  if (position.line !== undefined) {
    text += `:${position.line}`;
    if (position.column !== undefined) text += `:${position.column}`;
  }
  if (position.row !== undefined) text += ` row ${position.row}`;
  if (position.record !== undefined) text += ` record ${position.record}`;
  return text;
}
