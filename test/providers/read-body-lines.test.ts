import { describe, expect, it } from 'vitest';
import { readBodyLines } from '../../src/providers/read-lines.js';

/** A body delivered in chunks of `size` bytes, so lines and multi-byte characters are cut anywhere. */
function body(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

async function lines(stream: ReadableStream<Uint8Array> | null) {
  const found: { line: string; number: number }[] = [];
  for await (const item of readBodyLines(stream)) found.push(item);
  return found;
}

describe('readBodyLines', () => {
  const text = '{"a":"café ☕ 🍵"}\r\n\n{"b":"x"}\n  \n{"c":"ünïcödé"}';
  const expected = [
    { line: '{"a":"café ☕ 🍵"}', number: 1 },
    { line: '{"b":"x"}', number: 3 },
    { line: '{"c":"ünïcödé"}', number: 5 },
  ];

  it('gives each non-blank line with its 1-based number, whatever the chunk boundaries cut (CRLF, characters of 2–4 bytes, no final newline)', async () => {
    for (const size of [1, 2, 3, 5, 7, 64]) expect(await lines(body(text, size))).toEqual(expected);
  });

  it('gives nothing for no body and for an empty one', async () => {
    expect(await lines(null)).toEqual([]);
    expect(await lines(body('', 4))).toEqual([]);
  });
});
