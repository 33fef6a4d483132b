import { describe, expect, it } from 'vitest';
import { LineBytes } from '../../src/engine/line-bytes.js';

describe('LineBytes', () => {
  it('encodes lines in place in the buffer given, each size its UTF-8 bytes and newline, as a file writer would', () => {
    const given = new ArrayBuffer(64);
    const lines = new LineBytes(Buffer.from(given));
    expect(lines.add('{"a":"é"}')).toBe(Buffer.byteLength('{"a":"é"}') + 1);
    expect(lines.add('\ud800 lone')).toBe(Buffer.byteLength('\ud800 lone') + 1);
    expect(lines.bytes().buffer).toBe(given);
    expect(Buffer.from(given, 0, lines.length).toString()).toBe('{"a":"é"}\n\ufffd lone\n');
  });

  it('moves to a larger buffer of its own, the lines so far kept, once they outgrow the one given', () => {
    const given = new ArrayBuffer(16);
    const lines = new LineBytes(Buffer.from(given));
    const invalid = new LineBytes(Buffer.alloc(4));
    lines.add('first');
    invalid.add('{"outcome":"not_json"}');
    lines.add('a second line longer than the buffer');
    lines.append(invalid);
    const bytes = lines.bytes();
    expect(bytes.buffer).not.toBe(given);
    expect(Buffer.from(bytes).toString()).toBe('first\na second line longer than the buffer\n{"outcome":"not_json"}\n');
  });
});
