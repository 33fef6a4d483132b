/** The data files' sha256 made on a digest thread (digest-thread.ts): the digest of the file as written. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DigestThread } from '../../src/dataset/digest-thread.js';
import { JsonlFileWriter } from '../../src/dataset/jsonl-file-writer.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

describe('JsonlFileWriter with a digest thread', () => {
  it('reports the sha256 of the bytes on disk over many chunks, a line longer than a chunk included, for several files at once', async () => {
    const dir = tempDir();
    const digests = new DigestThread();
    try {
      const writers = [new JsonlFileWriter(join(dir, 'a.jsonl'), { digest: digests }), new JsonlFileWriter(join(dir, 'b.jsonl'), { digest: digests })];
      for (let index = 0; index < 6000; index++) {
        const line = `${JSON.stringify({ id: index, text: 'é'.repeat(index % 700) })}\n`;
        for (const writer of writers) await writer.write(line);
        if (index === 3000) await writers[0]!.write(`${JSON.stringify({ long: 'x'.repeat(3 << 20) })}\n`);
      }
      await writers[1]!.writeBytes(Buffer.from('{"bytes":true}\n'), 0, 15);
      for (const writer of writers) {
        const digest = await writer.close();
        const bytes = readFileSync(writer.path);
        expect(digest).toEqual({ bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
      }
    } finally {
      await digests.close();
    }
  });

  it('fails the digest owed once the thread is closed', async () => {
    const digests = new DigestThread();
    const writer = new JsonlFileWriter(join(tempDir(), 'a.jsonl'), { digest: digests });
    await writer.write('{"a":1}\n');
    await digests.close();
    await expect(writer.close()).rejects.toThrow(/digest thread/);
  });
});
