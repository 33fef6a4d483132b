import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { describe, expect, it } from 'vitest';
import { SynthforgeError } from '../../src/errors.js';
import { exportDataset } from '../../src/dataset/export-dataset.js';
import { DATASET_FORMATS } from '../../src/dataset/formats/dataset-formats.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../../src/dataset/output-spec.js';
import { readJsonlFile } from '../helpers/read-jsonl-file.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { CHAT, qaRecords, record, writeVersion } from './fixtures.js';

const tempDir = useTempDirs();


const PREFERENCE = { format: 'preference' as const, fields: { prompt: '{{ question }}', chosen: '{{ answer }}', rejected: '{{ rejected }}' } };

describe('exportDataset', () => {
  it('exports a chat version to every format it can describe; each row validates against the target schema', async () => {
    const root = tempDir();
    const out = tempDir();
    await writeVersion(root, qaRecords(12), CHAT);
    for (const format of OUTPUT_FORMATS.filter((name) => name !== 'preference')) {
      const file = join(out, `${format}.jsonl`);
      const report = await exportDataset({ outputsRoot: root, ref: 'support-qa@v1', format, file, keepId: true });
      expect(report).toMatchObject({ from: 'openai-chat', to: format, rows: 12, skipped: 0, fileType: 'jsonl' });
      const rows = readJsonlFile(file);
      expect(rows).toHaveLength(12);
      for (const row of rows) expect(DATASET_FORMATS[format as OutputFormat].rowSchema.safeParse(row).success, `${format}: ${JSON.stringify(row)}`).toBe(true);
    }
    const [alpaca] = readJsonlFile(join(out, 'alpaca.jsonl'));
    expect(alpaca).toEqual({ id: 's0-000000', instruction: qaRecords(1)[0]!.fields.question, input: '', output: qaRecords(1)[0]!.fields.answer, system: 'You are a support agent.' });
    const [sharegpt] = readJsonlFile(join(out, 'sharegpt.jsonl'));
    expect((sharegpt!.conversations as { from: string }[]).map((turn) => turn.from)).toEqual(['system', 'human', 'gpt']);
  });

  it('exports a preference version to each format, preference pairs included', async () => {
    const root = tempDir();
    const out = tempDir();
    await writeVersion(root, qaRecords(6), PREFERENCE);
    for (const format of OUTPUT_FORMATS) {
      const file = join(out, `${format}.jsonl`);
      const report = await exportDataset({ outputsRoot: root, ref: 'support-qa', format, file, keepId: true });
      expect(report.rows).toBe(6);
      for (const row of readJsonlFile(file)) expect(DATASET_FORMATS[format].rowSchema.safeParse(row).success, `${format}: ${JSON.stringify(row)}`).toBe(true);
    }
    const [completion] = readJsonlFile(join(out, 'prompt-completion.jsonl'));
    expect(completion).toEqual({ id: 's0-000000', prompt: qaRecords(1)[0]!.fields.question, completion: qaRecords(1)[0]!.fields.answer });
  });

  it('refuses to make preference pairs out of chats', async () => {
    const root = tempDir();
    await writeVersion(root, qaRecords(3), CHAT);
    const error = await exportDataset({ outputsRoot: root, ref: 'support-qa', format: 'preference', file: join(tempDir(), 'x.jsonl') }).catch((caught: unknown) => caught);
    expect(SynthforgeError.isInstance(error) && error.code).toBe('export_unsupported');
  });

  it('leaves out the id unless asked, and keeps it for raw', async () => {
    const root = tempDir();
    const out = tempDir();
    await writeVersion(root, qaRecords(2), CHAT);
    await exportDataset({ outputsRoot: root, ref: 'support-qa', format: 'openai-chat', file: join(out, 'chat.jsonl') });
    expect(Object.keys(readJsonlFile(join(out, 'chat.jsonl'))[0]!)).toEqual(['messages']);
    await exportDataset({ outputsRoot: root, ref: 'support-qa', format: 'raw', file: join(out, 'raw.jsonl') });
    expect(Object.keys(readJsonlFile(join(out, 'raw.jsonl'))[0]!)).toEqual(['id', 'messages']);
  });

  it('skips and reports rows that cannot be converted', async () => {
    const root = tempDir();
    const records = [
      record(1, { messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] }),
      record(2, { text: 'no conversation here' }),
    ];
    await writeVersion(root, records, { format: 'raw' });
    const report = await exportDataset({ outputsRoot: root, ref: 'support-qa', format: 'openai-chat', file: join(tempDir(), 'chat.jsonl') });
    expect(report).toMatchObject({ rows: 1, skipped: 1, skippedExamples: ['s0-000002: the row has no messages list'] });
  });

  it('writes Parquet with messages as list<struct> when the file ends in .parquet', async () => {
    const root = tempDir();
    const file = join(tempDir(), 'nested', 'train.parquet');
    await writeVersion(root, qaRecords(30), { ...CHAT, splits: { train: 0.5, test: 0.5 } });
    const report = await exportDataset({ outputsRoot: root, ref: 'support-qa@v1', format: 'openai-chat', file, split: 'train', compression: 'snappy' });
    expect(report.fileType).toBe('parquet');
    expect(report.split).toBe('train');
    const rows = await parquetReadObjects({ file: await asyncBufferFromFile(file), compressors });
    expect(rows).toHaveLength(report.rows);
    expect(rows[0]!.messages).toEqual([
      { role: 'system', content: 'You are a support agent.' },
      { role: 'user', content: expect.any(String) },
      { role: 'assistant', content: expect.any(String) },
    ]);
    expect(readdirSync(join(file, '..'))).toEqual(['train.parquet']);
  });

  it('does not replace an existing file unless told to', async () => {
    const root = tempDir();
    const file = join(tempDir(), 'out.jsonl');
    writeFileSync(file, 'keep me\n');
    await writeVersion(root, qaRecords(2), CHAT);
    const error = await exportDataset({ outputsRoot: root, ref: 'support-qa', format: 'sharegpt', file }).catch((caught: unknown) => caught);
    expect(SynthforgeError.isInstance(error) && error.code).toBe('export_target_exists');
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
    await exportDataset({ outputsRoot: root, ref: 'support-qa', format: 'sharegpt', file, overwrite: true });
    expect(readJsonlFile(file)).toHaveLength(2);
    expect(existsSync(`${file}.partial-${process.pid}`)).toBe(false);
  });
});
