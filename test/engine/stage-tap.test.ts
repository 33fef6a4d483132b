import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineChunk, writeRecords } from '../../src/engine/stage-files.js';
import { StageTap, StageTapClosedError } from '../../src/engine/stage-tap.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

const chunk = (text: string) => new Uint8Array(Buffer.from(text)) as Uint8Array<ArrayBuffer>;

/** Lines of about `bytes` bytes each, numbered. */
function* lines(count: number, bytes: number): Generator<string> {
  for (let index = 0; index < count; index++) yield JSON.stringify({ id: `r${index}`, text: 'x'.repeat(bytes) });
}

async function* asAsync<T>(items: Iterable<T>): AsyncIterable<T> {
  for (const item of items) yield item;
}

async function readAll(tap: AsyncIterable<Uint8Array>): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const item of tap) chunks.push(Buffer.from(item));
  return chunks;
}

describe('StageTap', () => {
  it('hands the reader every chunk in order and ends when the runner says the step is done', async () => {
    const tap = new StageTap('stage-01.jsonl');
    const read = readAll(tap);
    tap.push(chunk('a\n'));
    tap.push(chunk('b\nc\n'));
    tap.end();
    expect(Buffer.concat(await read).toString()).toBe('a\nb\nc\n');
  });

  it('makes the writer wait while 8 chunks are unread, and lets it go on as the reader takes them', async () => {
    const tap = new StageTap('stage-01.jsonl');
    for (let index = 0; index < 8; index++) tap.push(chunk(`${index}\n`));
    let roomGiven = false;
    const room = tap.room().then(() => (roomGiven = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(roomGiven).toBe(false);
    const iterator = tap[Symbol.asyncIterator]();
    expect(Buffer.from((await iterator.next()).value as Uint8Array).toString()).toBe('0\n');
    await room;
    expect(roomGiven).toBe(true);
  });

  it('fails the reader with the step that stopped, naming the stage file', async () => {
    const tap = new StageTap('/run/stage-02.jsonl');
    tap.push(chunk('a\n'));
    tap.fail(new Error('the dedup step broke'));
    const error = await readAll(tap).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StageTapClosedError);
    expect((error as StageTapClosedError).message).toContain('/run/stage-02.jsonl');
    expect(((error as StageTapClosedError).reason as Error).message).toBe('the dedup step broke');
  });

  it('never holds up the writer once the reader has given up, whether it had started reading or not', async () => {
    const started = new StageTap('stage-01.jsonl');
    for (let index = 0; index < 8; index++) started.push(chunk(`${index}\n`));
    const iterator = started[Symbol.asyncIterator]();
    await iterator.next();
    started.push(chunk('8\n'));
    await iterator.return?.(undefined);
    for (let index = 0; index < 20; index++) started.push(chunk('more\n'));
    await started.room();

    const never = new StageTap('stage-02.jsonl');
    for (let index = 0; index < 20; index++) never.push(chunk('x\n'));
    never.abandon();
    await never.room();
  });

  it('has one reader', async () => {
    const tap = new StageTap('stage-01.jsonl');
    void readAll(tap);
    await expect(readAll(tap)).rejects.toThrow(/has a reader already/);
  });
});

describe('writeRecords with a tap', () => {
  it('writes the same file as without, and hands the reader whole lines that own their buffers, in order', async () => {
    const dir = tempDir();
    const records = [...lines(3000, 900)];
    const plain = join(dir, 'plain.jsonl');
    const tapped = join(dir, 'tapped.jsonl');
    expect(await writeRecords(plain, asAsync(records))).toBe(3000);
    const tap = new StageTap(tapped);
    const seen: Buffer[] = [];
    const read = (async () => {
      for await (const item of tap) {
        expect(item.byteOffset).toBe(0);
        expect(item.byteLength).toBe(item.buffer.byteLength);
        expect(item[item.byteLength - 1]).toBe(10);
        seen.push(Buffer.from(item));
      }
    })();
    expect(await writeRecords(tapped, asAsync(records), { tap })).toBe(3000);
    tap.end();
    await read;
    expect(seen.length).toBeGreaterThan(2);
    expect(readFileSync(tapped).equals(readFileSync(plain))).toBe(true);
    expect(Buffer.concat(seen).equals(readFileSync(plain))).toBe(true);
  });

  it('writes a LineChunk as it is and hands the reader that very buffer, after the records before it, counting its lines', async () => {
    const dir = tempDir();
    const path = join(dir, 'stage.jsonl');
    const tap = new StageTap(path);
    const seen: Uint8Array[] = [];
    const read = (async () => {
      for await (const item of tap) seen.push(item);
    })();
    const whole = new LineChunk(Buffer.from(new Uint8Array(Buffer.from('{"id":"c1"}\n{"id":"c2"}\n'))) as Buffer<ArrayBuffer>, 2);
    const compacted = Buffer.from(new Uint8Array(Buffer.from('{"id":"d1"}\nleft over bytes past the view'))).subarray(0, 12) as Buffer<ArrayBuffer>;
    const count = await writeRecords(path, asAsync<string | LineChunk>(['{"id":"a"}', whole, new LineChunk(compacted, 1), '{"id":"b"}']), { tap });
    tap.end();
    await read;
    expect(count).toBe(5);
    const expected = '{"id":"a"}\n{"id":"c1"}\n{"id":"c2"}\n{"id":"d1"}\n{"id":"b"}\n';
    expect(readFileSync(path, 'utf8')).toBe(expected);
    expect(Buffer.concat(seen).toString()).toBe(expected);
    expect(seen).toContain(whole.bytes);
    expect(seen).toContain(compacted);
    // Without a tap: the same file.
    const plain = join(dir, 'plain.jsonl');
    const again = new LineChunk(Buffer.from(new Uint8Array(Buffer.from('{"id":"c1"}\n{"id":"c2"}\n'))) as Buffer<ArrayBuffer>, 2);
    expect(await writeRecords(plain, asAsync<string | LineChunk>(['{"id":"a"}', again, '{"id":"d1"}', '{"id":"b"}']))).toBe(5);
    expect(readFileSync(plain, 'utf8')).toBe(expected);
  });

  it('finishes its file when the reader stops early (a following step that failed)', async () => {
    const dir = tempDir();
    const path = join(dir, 'stage.jsonl');
    const tap = new StageTap(path);
    // 12 MiB: more than the 8 chunks a writer may have unread.
    const written = writeRecords(path, asAsync(lines(12_000, 1_000)), { tap });
    const iterator = tap[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.return?.(undefined);
    expect(await written).toBe(12_000);
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(12_000);
  });
});
