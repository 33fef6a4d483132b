import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The dedup index's temporary files (shingle-arena.ts, frozen-run.ts, id-column.ts): each is
 * unlinked as soon as it is open, so nothing is left behind however the process ends (kill -9
 * included); closing the descriptor frees the disk space.
 */
export function openSpillFile(directory: string | undefined, suffix: string): number {
  const name = `synthforge-dedup-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}.${suffix}`;
  const path = join(directory ?? tmpdir(), name);
  const fd = openSync(path, 'wx+', 0o600);
  try {
    unlinkSync(path);
  } catch {
    // Where an open file cannot be unlinked (Windows), it stays until the OS temp cleanup.
  }
  return fd;
}

/** Writes all of `bytes` at `position` (writeSync may write less than asked). */
export function writeAt(fd: number, bytes: Uint8Array, position: number): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, position + written);
}

/** Reads `bytes.length` bytes at `position` into `bytes`. */
export function readAt(fd: number, bytes: Uint8Array, position: number): void {
  let read = 0;
  while (read < bytes.length) {
    const got = readSync(fd, bytes, read, bytes.length - read, position + read);
    if (got === 0) throw new Error(`internal: dedup spill file ended at byte ${position + read}, ${bytes.length - read} bytes short`);
    read += got;
  }
}

export function closeSpillFile(fd: number | undefined): void {
  if (fd !== undefined) closeSync(fd);
}
