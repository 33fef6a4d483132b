import { describe, expect, it } from 'vitest';
import { outputSpecSchema } from '../../src/dataset/output-spec.js';

const messagesOf = (input: unknown) => {
  const parsed = outputSpecSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('outputSpecSchema', () => {
  it('fills defaults: raw, one train split, JSONL, zstd', () => {
    expect(outputSpecSchema.parse({})).toEqual({ format: 'raw', splits: { train: 1 }, files: ['jsonl'], compression: 'zstd' });
  });

  it('accepts every documented key', () => {
    expect(
      messagesOf({
        format: 'alpaca',
        fields: { instruction: '{{ q }}', output: '{{ a }}' },
        splits: { train: 0.9, test: 0.1 },
        stratify_by: 'topic',
        files: ['jsonl', 'parquet'],
        compression: 'snappy',
        max_rows_per_file: 1000,
        max_file_mb: 256,
        card: { license: 'mit', language: ['en'], pretty_name: 'X', task_categories: ['text-generation'], tags: ['a'] },
      }),
    ).toEqual([]);
  });

  it('takes a zstd compression_level from 1 to 22, only with zstd', () => {
    expect(messagesOf({ compression_level: 1 })).toEqual([]);
    expect(messagesOf({ compression_level: 22 })).toEqual([]);
    for (const level of [0, 23, 2.5, '3']) expect(messagesOf({ compression_level: level })).toHaveLength(1);
    expect(messagesOf({ compression: 'snappy', compression_level: 5 })).toEqual(["compression_level: compression_level is zstd's level; compression is snappy, which has none"]);
  });

  it('requires split fractions to sum to 1', () => {
    expect(messagesOf({ splits: { train: 0.9, test: 0.2 } })).toEqual(['splits: split fractions must sum to 1, they sum to 1.1']);
    expect(messagesOf({ splits: { train: 0.7, validation: 0.2, test: 0.1 } })).toEqual([]);
  });

  it("rejects field names the format does not have, naming the format's own", () => {
    expect(messagesOf({ format: 'alpaca', fields: { instrucion: '{{ q }}' } })).toEqual([
      'fields.instrucion: format alpaca has no field "instrucion"; expected one of: instruction, input, output, system',
    ]);
    expect(messagesOf({ format: 'openai-chat', fields: { prompt: 'x' } })[0]).toMatch(/takes its conversation from output.messages/);
    expect(messagesOf({ format: 'raw', fields: { id: 'x' } })[0]).toMatch(/"id" cannot be a column name/);
    expect(messagesOf({ format: 'alpaca', messages: [{ role: 'user', content: 'x' }] })).toEqual(['messages: format alpaca does not use messages; use output.fields']);
  });

  it('rejects unknown keys (typos surface)', () => {
    expect(messagesOf({ fromat: 'raw' })[0]).toMatch(/fromat/);
  });
});
