import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRequestKeys, requestKeysPath, RequestKeysWriter, type PlannedKeys } from '../../src/engine/stage-files.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const keyOf = (index: number): string => createHash('sha256').update(String(index)).digest('hex');

describe('RequestKeysWriter', () => {
  it('writes one line per record in order, rejections in place, across many gathered writes; nothing before close', async () => {
    const path = requestKeysPath(join(tempDir(), 'stage-00.jsonl'), 0);
    const writer = new RequestKeysWriter(path);
    const expected: PlannedKeys[] = [];
    // ≈ 400 KB of lines: several 64K writes, with a rejection now and then.
    for (let index = 0; index < 3000; index++) {
      if (index % 997 === 5) {
        await writer.reject({ id: `r${index}`, seedId: `r${index}`, fields: {}, lineage: [] }, 'answer', 'a field is missing');
        expected.push({ rejected: `r${index}: a field is missing` });
        continue;
      }
      const keys = [keyOf(index), keyOf(-index)];
      const written = writer.write(keys);
      if (written) await written;
      expected.push(keys);
    }
    expect(existsSync(path)).toBe(false);
    await writer.close();
    const next = openRequestKeys(path)!;
    const read: PlannedKeys[] = [];
    for (let line = await next(); line !== undefined; line = await next()) read.push(line);
    expect(read).toEqual(expected);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3001);
  });
});
