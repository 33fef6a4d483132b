/** The data files' sha256 made on a digest thread (digest-thread.ts): the digest of the file as written. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Worker } from 'node:worker_threads';
import { DigestThread } from '../../src/dataset/digest-thread.js';
import { WriteWorkerError } from '../../src/dataset/errors.js';
import { EXIT_CODES } from '../../src/errors.js';
import { JsonlFileWriter } from '../../src/dataset/jsonl-file-writer.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { expectWriteThreadCrashed } from '../helpers/thread-crash.js';

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
    const error = await writer.close().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WriteWorkerError);
    expect(error).toMatchObject({ code: 'write_worker', exitCode: EXIT_CODES.failed, message: 'the digest thread was closed with digests owed' });
  });
});

describe('DigestThread: a thread that dies', () => {
  /** The thread's worker, reached through the object (a test's way to make it die). */
  const workerOf = (digests: DigestThread): Worker => (digests as unknown as { worker: Worker }).worker;

  it('that exits fails the digest owed and every digest after with a coded error', async () => {
    const digests = new DigestThread();
    try {
      const file = digests.open();
      file.update(new TextEncoder().encode('{"a":1}\n'));
      const owed = file.finish().catch((caught: unknown) => caught);
      const code = await workerOf(digests).terminate();
      const error = await owed;
      expect(error).toBeInstanceOf(WriteWorkerError);
      expect(error).toMatchObject({ code: 'write_worker', message: `the digest thread exited (${code})` });
      expect(() => digests.open().update(new Uint8Array(1))).toThrow(WriteWorkerError);
      await expect(digests.open().finish()).rejects.toBe(error);
    } finally {
      await digests.close();
    }
  });

  it('that crashes fails the digest owed with a coded error whose cause is what it threw', async () => {
    const digests = new DigestThread();
    try {
      const file = digests.open();
      // Not a request: the thread throws reading it, outside anything it answers.
      workerOf(digests).postMessage(null);
      const error = await file.finish().catch((caught: unknown) => caught);
      expectWriteThreadCrashed(error, 'the digest thread');
      expect((error as Error).message).toMatch(/null/);
    } finally {
      await digests.close();
    }
  });
});
