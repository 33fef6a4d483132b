import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileLineBytes, readFileLines } from '../../src/dataset/read-file-lines.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'read-lines-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function all<T>(lines: AsyncIterable<T>): Promise<T[]> {
  const read: T[] = [];
  for await (const line of lines) read.push(line);
  return read;
}

describe('readFileLines', () => {
  it('decodes the lines readFileLineBytes cuts: CRLF, empty lines, multi-byte text, lines across read chunks, no final newline', async () => {
    const path = join(dir, 'lines.jsonl');
    const long = `${'é'.repeat(700_000)}😀`; // past one 1 MiB read chunk
    writeFileSync(path, `a\r\n\n${long}\n"x"\r\n😀\r`);
    const text = await all(readFileLines(path));
    expect(text).toEqual(['a', '', long, '"x"', '😀']);
    expect((await all(readFileLineBytes(path))).map((line) => line.toString('utf8'))).toEqual(text);
  });

  it('opens the file only when iterated, so a missing file fails the loop, not the call', async () => {
    const lines = readFileLines(join(dir, 'missing.jsonl'));
    await new Promise((resolve) => setImmediate(resolve));
    await expect(all(lines)).rejects.toThrow(/ENOENT/);
  });
});
