/**
 * Stage files: the records between two steps, one JSON object per line. Each step reads the previous
 * stage's file as a stream and writes its own, so memory does not grow with the dataset, and a
 * finished stage (its file renamed into place) is never recomputed on resume.
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { DataRecord } from '../domain.js';

export function readRecords(path: string): AsyncIterable<DataRecord> {
  return readJsonLines<DataRecord>(path);
}

/** Objects of a JSONL file we wrote ourselves, streamed. */
export async function* readJsonLines<T>(path: string): AsyncIterable<T> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line !== '') yield JSON.parse(line) as T;
  }
}

/** Writes records to `path` atomically (temp file, then rename). Returns how many were written. */
export async function writeRecords(path: string, records: AsyncIterable<DataRecord>): Promise<number> {
  const temporary = `${path}.partial`;
  const output = createWriteStream(temporary, { encoding: 'utf8' });
  let count = 0;
  try {
    for await (const record of records) {
      if (!output.write(`${JSON.stringify(record)}\n`)) await once(output, 'drain');
      count++;
    }
    output.end();
    await once(output, 'finish');
  } catch (error) {
    output.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
  await rename(temporary, path);
  return count;
}

export function stageDone(path: string): boolean {
  return existsSync(path);
}
