import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDedupConfig } from '../../src/dedup/dedup-spec.js';
import { dedupStream } from '../../src/dedup/dedup-stream.js';
import { DocumentSketcher } from '../../src/dedup/document-sketcher.js';
import { encodeTexts, SketchPool } from '../../src/dedup/sketch-pool.js';
import { SynthforgeError } from '../../src/errors.js';
import { asyncOf, nearSpec, plantedCorpus, specOf } from './fixtures.js';

describe('encodeTexts (the batch format sent to workers)', () => {
  it('packs UTF-8 back to back with byte offsets, growing for multi-byte text', () => {
    const texts = ['abc', '', 'é東😀', '東'.repeat(100), 'x'.repeat(10)];
    const { bytes, offsets } = encodeTexts(texts);
    const decoder = new TextDecoder();
    expect(Array.from(offsets)).toEqual([0, 3, 3, 12, 312, 322]);
    texts.forEach((text, index) => expect(decoder.decode(bytes.subarray(offsets[index]!, offsets[index + 1]!))).toBe(text));
  });
});

describe('SketchPool', () => {
  const config = resolveDedupConfig(nearSpec);
  let pool: SketchPool;

  beforeAll(async () => {
    pool = await SketchPool.create(config, 2);
  });

  afterAll(async () => {
    await pool.close();
  });

  it('returns the batches the main thread would compute', async () => {
    const texts = plantedCorpus().documents.slice(0, 300).map((document) => document.text);
    texts.push(texts[10]!);
    const [first, second] = await Promise.all([pool.sketch(texts.slice(0, 150)), pool.sketch(texts.slice(150))]);
    const sketcher = await DocumentSketcher.create(config);
    expect(pool.kernel).toBe('wasm');
    expect(first).toEqual(sketcher.sketchBatch(150, (doc) => texts[doc]!));
    expect(second).toEqual(sketcher.sketchBatch(texts.length - 150, (doc) => texts[150 + doc]!));
  });

  it('rejects outstanding and later batches once closed', async () => {
    const own = await SketchPool.create(config, 1);
    const pending = own.sketch(plantedCorpus().documents.map((document) => document.text)).catch((error: unknown) => error);
    await own.close();
    const failure = await pending;
    expect(SynthforgeError.isInstance(failure) && failure.code).toBe('dedup_worker');
    await expect(own.sketch(['late'])).rejects.toThrow(/closed/);
  });

  it('is refused by a stream whose parameters differ', async () => {
    const stream = dedupStream(asyncOf([{ id: 'a', fields: { text: 'x' } }]), specOf({ near: { ngram: 3 } }), { pool });
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toThrow(/other parameters/);
  });
});
