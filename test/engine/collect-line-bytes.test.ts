import { describe, expect, it } from 'vitest';
import { LineBytes } from '../../src/engine/line-bytes.js';

describe('LineBytes', () => {
  it('encodes lines in place in shared memory, each size its UTF-8 bytes and newline, as a file writer would', () => {
    const shared = new SharedArrayBuffer(64);
    const lines = new LineBytes(Buffer.from(shared));
    expect(lines.add('{"a":"é"}')).toBe(Buffer.byteLength('{"a":"é"}') + 1);
    expect(lines.add('\ud800 lone')).toBe(Buffer.byteLength('\ud800 lone') + 1);
    expect(lines.inPlace(shared)).toBe(true);
    expect(Buffer.from(shared, 0, lines.length).toString()).toBe('{"a":"é"}\n\ufffd lone\n');
  });

  it('moves to a buffer of its own, the lines so far kept, once they outgrow the slot', () => {
    const shared = new SharedArrayBuffer(16);
    const lines = new LineBytes(Buffer.from(shared));
    const invalid = new LineBytes(Buffer.alloc(4));
    lines.add('first');
    invalid.add('{"outcome":"not_json"}');
    lines.add('a second line longer than the slot');
    lines.append(invalid);
    expect(lines.inPlace(shared)).toBe(false);
    const bytes = lines.bytes();
    expect(bytes.buffer).toBeInstanceOf(ArrayBuffer);
    expect(Buffer.from(bytes).toString()).toBe('first\na second line longer than the slot\n{"outcome":"not_json"}\n');
  });
});
