import { describe, expect, it } from 'vitest';
import { textLinesOf, wholeLineChunks } from '../../src/dataset/line-chunks.js';
import { readBodyLines } from '../../src/providers/read-lines.js';
import { SecretRedactor } from '../../src/redact-secrets.js';

async function* pieces(bytes: Buffer, sizes: number[]): AsyncIterable<Uint8Array> {
  let offset = 0;
  for (let index = 0; offset < bytes.length; index++) {
    const size = sizes[index % sizes.length]!;
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('wholeLineChunks and textLinesOf', () => {
  const text = '{"a":1}\r\n\n  \n{"b":"é😀"}\n{"c":3}\n\r\n{"d":4}';
  const bytes = Buffer.from(text);

  it('cut any stream into chunks of whole lines whose lines are the ones readBodyLines reads', async () => {
    const expected = (await collect(readBodyLines(new Blob([bytes]).stream()))).map(({ line }) => line);
    expect(expected).toEqual(['{"a":1}', '{"b":"é😀"}', '{"c":3}', '{"d":4}']);
    for (const sizes of [[1], [2, 3], [7], [bytes.length]]) {
      const chunks = await collect(wholeLineChunks(pieces(bytes, sizes)));
      for (const chunk of chunks.slice(0, -1)) expect(chunk[chunk.length - 1]).toBe(10);
      expect(chunks.flatMap((chunk) => textLinesOf(chunk))).toEqual(expected);
    }
  });
});

describe('SecretRedactor.bytes', () => {
  const redactor = new SecretRedactor([{ name: 'OPENAI_API_KEY', value: 'sk-secret-value-123' }]);

  it('returns the same chunk when no secret is in it, and redacted JSON that still parses when one is', () => {
    const clean = Buffer.from('{"message":"nothing here"}\n');
    expect(redactor.bytes(clean)).toBe(clean);
    const echoed = Buffer.from('{"message":"bad key sk-secret-value-123"}\n');
    const redacted = Buffer.from(redactor.bytes(echoed)).toString('utf8');
    expect(JSON.parse(redacted)).toEqual({ message: 'bad key [REDACTED:OPENAI_API_KEY]' });
  });
});
