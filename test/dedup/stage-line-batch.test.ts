import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStageLines, readStageLineBatches } from '../../src/dedup/stage-line-batch.js';

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);
const decoder = new TextDecoder();

function linesOf(bytes: Uint8Array, parsed: { count: number; starts: Uint32Array; ends: Uint32Array }): string[] {
  return Array.from({ length: parsed.count }, (_, line) => decoder.decode(bytes.subarray(parsed.starts[line], parsed.ends[line])));
}

describe('parseStageLines', () => {
  it('cuts lines as the stage reader does (CR dropped, empty lines skipped, last newline optional) and reads ids and compared texts', () => {
    const a = JSON.stringify({ id: 'a', fields: { q: 'Q1', answer: 'one' } });
    const b = JSON.stringify({ id: 'b', fields: { q: 'Q2', answer: { nested: [1, 2] } } });
    const c = JSON.stringify({ id: 'c', fields: { q: 'Ünïcode', answer: 'drei' } });
    const bytes = bytesOf(`${a}\r\n\n${b}\n${c}`);
    const parsed = parseStageLines(bytes, ['q', 'answer']);
    expect(linesOf(bytes, parsed)).toEqual([a, b, c]);
    expect(parsed.ids).toEqual(['a', 'b', 'c']);
    expect(parsed.texts).toEqual(['Q1\none', 'Q2\n{"nested":[1,2]}', 'Ünïcode\ndrei']);
    expect([...parsed.failed]).toEqual([0, 0, 0]);
  });

  it('sets aside, for the caller to handle, a line that is not JSON, lacks a compared field or has no fields', () => {
    const good = JSON.stringify({ id: 'g', fields: { text: 'kept' } });
    const missing = JSON.stringify({ id: 'm', fields: { other: 'x' } });
    const noFields = JSON.stringify({ id: 'n' });
    const bytes = bytesOf([good, '{"id": "broken', missing, noFields, good].join('\n'));
    const parsed = parseStageLines(bytes, ['text']);
    expect([...parsed.failed]).toEqual([0, 1, 1, 1, 0]);
    expect(parsed.ids).toEqual(['g', 'g']);
    expect(parsed.texts).toEqual(['kept', 'kept']);
  });
});

describe('readStageLineBatches', () => {
  it('yields whole lines only, each batch in a buffer of its own, whatever the read size cuts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synthforge-line-batches-'));
    const lines = Array.from({ length: 50 }, (_, index) => JSON.stringify({ id: `r${index}`, fields: { text: 'x'.repeat((index * 37) % 90) } }));
    const path = join(dir, 'stage.jsonl');
    writeFileSync(path, `${lines.join('\n')}\nlast line without newline`);
    for (const batchBytes of [7, 64, 1000, 1 << 20]) {
      const read: string[] = [];
      for await (const batch of readStageLineBatches(path, batchBytes)) {
        const text = decoder.decode(batch);
        if (text.endsWith('\n')) read.push(...text.slice(0, -1).split('\n'));
        else read.push(...text.split('\n'));
        // A batch's buffer can be transferred without detaching what the reader still needs.
        structuredClone(batch, { transfer: [batch.buffer] });
      }
      expect(read).toEqual([...lines, 'last line without newline']);
    }
  });
});
