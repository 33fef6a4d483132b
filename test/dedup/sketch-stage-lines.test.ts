import { describe, expect, it } from 'vitest';
import { parseDedupSpec, resolveDedupConfig } from '../../src/dedup/dedup-spec.js';
import { DocumentSketcher } from '../../src/dedup/document-sketcher.js';
import { NormalizedText, normalizeInto, normalizeJsonAsciiInto } from '../../src/dedup/normalize.js';
import { parseStageLines, sketchStageLines } from '../../src/dedup/stage-line-batch.js';
import { StageRecordLocator } from '../../src/dedup/stage-record-locator.js';

// sketchStageLines against parseStageLines + sketchBatch (JSON.parse of every record, the old path and still the
// fallback) as the oracle: same failed lines, same ids, same normalised units and word hashes.

const encoder = new TextEncoder();

/** A tiny deterministic generator, so a failure names a reproducible line. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const ESCAPES = ['\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t', '\\u0041', '\\u00e9', '\\ud83d\\ude00', '\\u200b'];
const BASE = 'Hello, World 12 ab-cd 7x';

/** The JSON text of BASE with `escape` (raw JSON) inserted at `position`. */
function escapedString(position: number, escape: string): string {
  return `"${JSON.stringify(BASE.slice(0, position)).slice(1, -1)}${escape}${JSON.stringify(BASE.slice(position)).slice(1, -1)}"`;
}

function record(id: unknown, fields: Record<string, unknown>): string {
  return JSON.stringify({ id, seedId: 's', source: 'seeds.jsonl:1', fields, lineage: [{ step: 'answer', requestKey: 'k', n: 1.5e-3, ok: true, none: null }] });
}

function generatedLines(): string[] {
  const lines: string[] = [];
  // Escapes at every position of the compared text, raw JSON so nothing re-encodes them.
  for (let position = 0; position <= BASE.length; position++) {
    for (const escape of ESCAPES) {
      lines.push(`{"id":"e${position}","fields":{"text":${escapedString(position, escape)},"answer":"A ${position}"},"lineage":[]}`);
    }
  }
  const next = random(13);
  const pieces = ['word', 'Ünïcödé', 'ﬁne', '😀', 'x²', 'co\u00adop', ' ', ', ', '42', '007', '\n', '\t', '"', '\\', '/', 'Σ', 'ΣΑΣ', '\u0000', '\u001f', '\u007f', 'İ'];
  for (let index = 0; index < 300; index++) {
    const text = Array.from({ length: 1 + Math.floor(next() * 12) }, () => pieces[Math.floor(next() * pieces.length)]).join('');
    lines.push(record(`r${index}`, { text, answer: `answer ${index % 7}`, meta: { title: text.toUpperCase(), n: index }, messages: [{ content: 'first' }, { content: text }], 'a.b': `literal ${text}`, num: index / 8, obj: { k: [index, null, true] }, flag: index % 2 === 0, nul: null }));
  }
  lines.push(record(7, { text: 'numeric id' }));
  lines.push(record(null, { text: 'null id' }));
  lines.push(record({ nested: ['id'] }, { text: 'object id' }));
  lines.push(record('ünï-id', { text: 'non-ascii id' }));
  lines.push(record('esc\\"id', { text: 'escaped id' }));
  lines.push(JSON.stringify({ fields: { text: 'no id' } }));
  lines.push(JSON.stringify({ id: 'x', fields: null }));
  lines.push(JSON.stringify({ id: 'x', fields: 'text' }));
  lines.push(JSON.stringify({ id: 'x', fields: ['text'] }));
  lines.push(JSON.stringify({ id: 'x', fields: { text: '' } }));
  lines.push(JSON.stringify([{ id: 'x', fields: { text: 'an array' } }]));
  lines.push('"just a string"', '42', 'null');
  // Duplicate keys: JSON.parse keeps the last.
  lines.push('{"id":"d1","id":"d2","fields":{"text":"dup id"}}');
  lines.push('{"id":"d3","fields":{"text":"first"},"fields":{"text":"second"}}');
  lines.push('{"id":"d4","fields":{"text":"first","text":"second"}}');
  lines.push('{"id":"d5","fields":{"meta":{"title":"first","title":"second"},"text":"t"}}');
  lines.push('{"id":"d6","fields":{"meta":{"title":"one"},"meta":{"title":"two"},"text":"t"}}');
  lines.push('{"\\u0069d":"d7","fields":{"te\\u0078t":"escaped keys","a\\u002eb":"lit"}}');
  lines.push('{"id":"d8","fi\\u0065lds":{"text":"escaped fields key"}}');
  lines.push('{"id":"d9","fields":{"tëxt":"non-ascii key","text":"plain"}}');
  lines.push('{"id":"d10","fields":{"__proto__":{"title":"proto"},"text":"p","meta":{"title":"m"}}}');
  // Whitespace JSON allows, numbers that would re-serialise differently.
  lines.push(' \t{ "id" : "w1" ,\t"fields" : { "text" : "spaced  out" , "num" : 1.50E+2 , "obj" : { "a" : [ 1 , -0 , 1e400 ] } } } \t');
  lines.push('{"id":"n1","fields":{"text":"t","num":-0.0,"obj":{"big":123456789012345678901234567890}}}');
  lines.push(`{"id":"deep","fields":{"text":"t","obj":${'['.repeat(100)}${']'.repeat(100)}}}`);
  // Malformed: every truncation of a valid line, bad literals and numbers, raw controls, bad escapes.
  const valid = record('t', { text: 'truncate me\\ "now" 5', meta: { title: 'T' }, messages: [{ content: 'c' }], num: 12.5 });
  for (let cut = 1; cut < valid.length; cut += 3) lines.push(valid.slice(0, cut));
  lines.push('{"id":"m1","fields":{"text":"a"}} trailing', '{"id":"m2","fields":{"text":"a",}}', '{"id":"m3","fields":{"text":tru}}');
  lines.push('{"id":"m4","fields":{"text":"a","num":01}}', '{"id":"m5","fields":{"text":"a","num":1.}}', '{"id":"m6","fields":{"text":"a","num":-}}');
  lines.push('{"id":"m7","fields":{"text":"raw\ttab"}}', '{"id":"m8","fields":{"text":"bad \\x escape"}}', '{"id":"m9","fields":{"text":"\\u12G4"}}');
  lines.push("{'id':'m10'}", '{"id":"m11" "fields":{}}', '{"id":"m12","fields":{"text":"a"}}}', '\ufeff{"id":"bom","fields":{"text":"a"}}');
  return lines;
}

const SPECS: string[][] = [
  ['text'],
  ['answer', 'text'],
  ['meta.title'],
  ['messages.1.content', 'text'],
  ['messages.01.content'],
  ['messages.length'],
  ['a.b'],
  ['num', 'obj', 'flag', 'nul'],
  ['missing'],
  ['meta.missing'],
  ['__proto__.title'],
];

/** The batch's bytes: lines joined by LF, with CRLF, blank lines and invalid UTF-8 mixed in. */
function batchOf(lines: string[]): Uint8Array {
  const parts: Uint8Array[] = [];
  lines.forEach((line, index) => {
    parts.push(encoder.encode(line));
    if (index % 5 === 0) parts.push(new Uint8Array([0x0d]));
    parts.push(new Uint8Array([0x0a]));
    if (index % 11 === 0) parts.push(new Uint8Array([0x0a]));
  });
  // A string holding invalid UTF-8 (decoded to U+FFFD by both paths).
  parts.push(encoder.encode('{"id":"bad-utf8","fields":{"text":"a'), new Uint8Array([0xff, 0xe2, 0x82]), encoder.encode('b","answer":"x"}}\n'));
  parts.push(encoder.encode('{"id":"bad-utf8-outside","fields":{"text":"a"}'), new Uint8Array([0xff]), encoder.encode('}'));
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

function normalised(out: NormalizedText): { units: number[]; hashes: number[] } {
  return { units: [...out.units.subarray(0, out.length)], hashes: [...out.wordHashes.subarray(0, out.wordCount)] };
}

/** A sketcher that also keeps the normalised units and word hashes of every document it sketches. */
async function recordingSketcher(foldDigits: boolean, near: boolean): Promise<{ sketcher: DocumentSketcher; texts: { units: number[]; hashes: number[] }[] }> {
  const spec = near ? { fields: ['text'], near: { threshold: 0.7, fold_digits: foldDigits } } : { fields: ['text'] };
  const config = resolveDedupConfig(parseDedupSpec(spec));
  const sketcher = await DocumentSketcher.create(config, { wasm: false });
  const texts: { units: number[]; hashes: number[] }[] = [];
  const sketchInputs = sketcher.sketchInputs.bind(sketcher);
  sketcher.sketchInputs = (inputs, normalizeInput, options) =>
    sketchInputs(
      inputs,
      (input) => {
        const normalizedOne = normalizeInput(input);
        if (normalizedOne) texts.push(normalised(sketcher.text));
        return normalizedOne;
      },
      options,
    );
  return { sketcher, texts };
}

describe('sketchStageLines', () => {
  const bytes = batchOf(generatedLines());
  const configs = [
    { foldDigits: false, near: true },
    { foldDigits: true, near: true },
    { foldDigits: false, near: false },
  ];

  for (const fields of SPECS) {
    it(`gives parseStageLines' failed lines, ids, normalised units, word hashes and sketches for fields ${JSON.stringify(fields)}`, async () => {
      const oracle = parseStageLines(bytes, fields);
      for (const { foldDigits, near } of configs) {
        const { sketcher, texts } = await recordingSketcher(foldDigits, near);
        const { lines, batch } = sketchStageLines(bytes, fields, sketcher, new StageRecordLocator(fields), { sharedBandKeys: true });
        expect([...lines.failed]).toEqual([...oracle.failed]);
        expect(lines.ids).toEqual(oracle.ids);
        const expected = new NormalizedText();
        expect(texts.length).toBe(oracle.texts.length);
        oracle.texts.forEach((text, doc) => {
          normalizeInto(text, { foldDigits }, expected);
          expect(texts[doc], `doc ${doc} (${String(oracle.ids[doc])})`).toEqual(normalised(expected));
        });
        const reference = sketcher.sketchBatch(oracle.texts.length, (doc) => oracle.texts[doc]!);
        expect({ ...batch, bandKeys: [...batch.bandKeys] }).toEqual({ ...reference, bandKeys: [...reference.bandKeys] });
      }
    });
  }

  it('reads the lines of the common shape from their bytes, parsing none', async () => {
    const lines = Array.from({ length: 50 }, (_, index) => record(`c${index}`, { question: 'Q?', answer: `An "answer"\\ with\tescapes ${index}` }));
    const { sketcher } = await recordingSketcher(false, true);
    const parse = JSON.parse;
    let parsed = 0;
    JSON.parse = ((text: string, reviver?: (key: string, value: unknown) => unknown) => {
      parsed++;
      return parse(text, reviver);
    }) as typeof JSON.parse;
    try {
      const { lines: read, batch } = sketchStageLines(encoder.encode(lines.join('\n')), ['answer'], sketcher, new StageRecordLocator(['answer']));
      expect(batch.count).toBe(50);
      expect(read.ids[49]).toBe('c49');
    } finally {
      JSON.parse = parse;
    }
    expect(parsed).toBe(0);
  });
});

describe('normalizeJsonAsciiInto', () => {
  it('gives normalizeInto of the decoded string for valid contents, and false for what it cannot take', () => {
    const options = { foldDigits: true };
    const expected = new NormalizedText();
    const actual = new NormalizedText();
    const spans = (json: string): [Uint8Array, Uint32Array, Uint32Array] => {
      const raw = encoder.encode(json);
      return [raw, Uint32Array.of(1), Uint32Array.of(raw.length - 1)];
    };
    for (let position = 0; position <= BASE.length; position++) {
      for (const escape of ESCAPES.slice(0, 8)) {
        const json = escapedString(position, escape);
        normalizeInto(JSON.parse(json) as string, options, expected);
        expect(normalizeJsonAsciiInto(...spans(json), 0, 1, options, actual)).toBe(true);
        expect(normalised(actual)).toEqual(normalised(expected));
      }
    }
    for (const bad of [String.raw`"caf\u00e9"`, '"café"', '"raw\ttab"', String.raw`"a\x"`, '"ends in \\"']) {
      expect(normalizeJsonAsciiInto(...spans(bad), 0, 1, options, actual), bad).toBe(false);
    }
  });
});

describe('StageRecordLocator', () => {
  it('answers false (in doubt) for duplicate keys on the way or a malformed value it checks, and reads the id and span otherwise', () => {
    const locator = new StageRecordLocator(['text']);
    const line = (text: string): [Uint8Array, number, number] => {
      const bytes = encoder.encode(text);
      return [bytes, 0, bytes.length];
    };
    expect(locator.locate(...line('{"id":"a","fields":{"text":"x","text":"y"}}'))).toBe(false);
    expect(locator.locate(...line('{"id":"a","id":"b","fields":{"text":"x"}}'))).toBe(false);
    expect(locator.locate(...line('{"id":"a","fields":{"text":"Plain \\"ASCII\\""},"lineage":[{"x":[1,2,{"y":null}]}]}'))).toBe(true);
    expect(locator.id).toBe('a');
    expect(locator.allSpans).toBe(true);
    // The compared string by its literal key is left unchecked, for the normalising scan to check.
    expect(locator.locate(...line('{"id":"a","fields":{"text":"caf\\u00e9 \u0001"}}'))).toBe(true);
    expect(locator.allSpans).toBe(true);
    const nested = new StageRecordLocator(['meta.title']);
    expect(nested.locate(...line('{"id":"a","fields":{"meta":{"title":"caf\\u00e9"}}}'))).toBe(true);
    expect(nested.texts[0]).toBe('café');
    expect(nested.locate(...line('{"id":"a","fields":{"meta":{"title":"raw \u0001"}}}'))).toBe(false);
  });
});

