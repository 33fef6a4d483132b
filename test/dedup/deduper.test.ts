import { afterEach, describe, expect, it, vi } from 'vitest';
import { jaccardOfSets, wordNgramSet } from '../../bench/synthetic-corpus.js';
import { createDeduper, dedupTextOf, type DedupVerdict } from '../../src/dedup/deduper.js';
import { WasmMinHashKernel } from '../../src/dedup/wasm/minhash-wasm.js';
import { DocumentSketcher } from '../../src/dedup/document-sketcher.js';
import { SynthforgeError } from '../../src/errors.js';
import { nearSpec, plantedCorpus, range, specOf, wordsText } from './fixtures.js';

async function verdictsOf(options: { wasm?: boolean } = {}): Promise<DedupVerdict[]> {
  const deduper = await createDeduper(nearSpec, options);
  return plantedCorpus().documents.map((document) => deduper.check(document.id, document.text));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createDeduper on planted near-duplicates', () => {
  it('finds the planted duplicates and keeps the distinct texts', async () => {
    const { documents, duplicates } = plantedCorpus();
    const verdicts = await verdictsOf();
    const dropped = new Set(documents.filter((_, index) => !verdicts[index]!.keep).map((document) => document.index));
    let truePositives = 0;
    for (const index of dropped) if (duplicates.has(index)) truePositives++;
    expect(duplicates.size).toBeGreaterThan(300);
    expect(truePositives / duplicates.size).toBeGreaterThanOrEqual(0.98);
    expect(truePositives / dropped.size).toBe(1);
    // Every document that starts a group is kept.
    for (const document of documents) if (document.group === document.index) expect(verdicts[document.index]!.keep).toBe(true);
  });

  it('names an earlier kept record of the same group, with the exact Jaccard for near-duplicates', async () => {
    const { documents } = plantedCorpus();
    const verdicts = await verdictsOf();
    const byId = new Map(documents.map((document) => [document.id, document]));
    let near = 0;
    let exact = 0;
    documents.forEach((document, index) => {
      const verdict = verdicts[index]!;
      if (verdict.keep) return;
      const original = byId.get(verdict.duplicateOf)!;
      expect(original.index).toBeLessThan(document.index);
      expect(original.group).toBe(document.group);
      expect(verdicts[original.index]!.keep).toBe(true);
      if (verdict.reason === 'near') {
        near++;
        expect(verdict.similarity).toBeGreaterThanOrEqual(0.8);
        expect(verdict.similarity).toBeLessThanOrEqual(1);
      } else {
        exact++;
        expect(verdict.similarity).toBeUndefined();
      }
    });
    expect(near).toBeGreaterThan(100);
    expect(exact).toBeGreaterThan(50);
  });

  it('gives the same verdicts with the WASM and the JavaScript kernel, run after run', async () => {
    const wasm = await verdictsOf();
    expect(await verdictsOf({ wasm: false })).toEqual(wasm);
    expect(await verdictsOf()).toEqual(wasm);
  });

  it('falls back to the JavaScript kernel when WASM SIMD is unavailable', async () => {
    vi.spyOn(WasmMinHashKernel, 'create').mockReturnValue(undefined);
    const deduper = await createDeduper(nearSpec);
    expect(deduper.kernel).toBe('js');
    const { documents } = plantedCorpus();
    const verdicts = documents.slice(0, 500).map((document) => deduper.check(document.id, document.text));
    expect(verdicts).toEqual((await verdictsOf()).slice(0, 500));
  });

  it('reports consistent statistics', async () => {
    const deduper = await createDeduper(nearSpec);
    const { documents } = plantedCorpus();
    for (const document of documents) deduper.check(document.id, document.text);
    const stats = deduper.stats();
    expect(stats.checked).toBe(documents.length);
    expect(stats.kept + stats.exact + stats.near).toBe(documents.length);
    expect(stats.references).toBe(0);
    expect(stats.largestCluster).toBeGreaterThanOrEqual(2);
    expect(stats.indexBytes).toBeGreaterThan(documents.length * 100);
    expect(deduper.config.near).toMatchObject({ bands: 16, rows: 8, lshSource: 'standard' });
    expect(deduper.kernel).toBe('wasm');
  });
});

describe('exact duplicates', () => {
  it('match after normalisation and are checked before any MinHash work', async () => {
    const sketch = vi.spyOn(DocumentSketcher.prototype, 'sketch');
    const deduper = await createDeduper(nearSpec);
    expect(deduper.check('a', 'Hello, World! How are you today, my friend?')).toEqual({ keep: true });
    expect(deduper.check('b', 'hello world how are you today my friend')).toEqual({ keep: false, reason: 'exact', duplicateOf: 'a' });
    expect(deduper.check('c', '  HELLO   WORLD. How are you today; my friend  ')).toEqual({ keep: false, reason: 'exact', duplicateOf: 'a' });
    expect(sketch).toHaveBeenCalledTimes(1);
    expect(deduper.stats()).toMatchObject({ checked: 3, exact: 2, kept: 1, largestCluster: 3 });
  });

  it('work without near-duplicate detection', async () => {
    const deduper = await createDeduper(specOf());
    expect(deduper.kernel).toBe('none');
    expect(deduper.check('a', 'Reset the router')).toEqual({ keep: true });
    expect(deduper.check('b', 'reset the ROUTER!')).toMatchObject({ keep: false, reason: 'exact', duplicateOf: 'a' });
    expect(deduper.check('c', 'Reset the modem')).toEqual({ keep: true });
  });

  it('fold digits only when fold_digits is on', async () => {
    const plain = await createDeduper(specOf({ near: {} }));
    plain.check('a', 'I bought 12 apples and 3 pears at the market today');
    expect(plain.check('b', 'I bought 7 apples and 15 pears at the market today').keep).toBe(true);
    const folded = await createDeduper(specOf({ near: { fold_digits: true } }));
    folded.check('a', 'I bought 12 apples and 3 pears at the market today');
    expect(folded.check('b', 'I bought 7 apples and 15 pears at the market today')).toMatchObject({ keep: false, reason: 'exact' });
  });

  it('are found by the near check (similarity 1) when exact is off', async () => {
    const deduper = await createDeduper(specOf({ exact: false, near: {} }));
    deduper.check('a', 'Reset the router');
    expect(deduper.check('b', 'reset the router')).toEqual({ keep: false, reason: 'near', duplicateOf: 'a', similarity: 1 });
  });
});

describe('clusters', () => {
  it('drop a chain member as a duplicate of the kept root (A ~ B, B ~ C, A ≁ C)', async () => {
    const a = range(0, 200);
    const b = [...range(0, 185), ...range(1000, 1015)];
    const c = [...range(0, 170), ...range(1000, 1015), ...range(2000, 2015)];
    const setA = wordNgramSet(wordsText(a));
    const setB = wordNgramSet(wordsText(b));
    const setC = wordNgramSet(wordsText(c));
    expect(jaccardOfSets(setA, setB)).toBeGreaterThanOrEqual(0.8);
    expect(jaccardOfSets(setB, setC)).toBeGreaterThanOrEqual(0.8);
    expect(jaccardOfSets(setA, setC)).toBeLessThan(0.8);

    const deduper = await createDeduper(specOf({ near: { high_recall: true } }));
    expect(deduper.check('A', wordsText(a))).toEqual({ keep: true });
    expect(deduper.check('B', wordsText(b))).toMatchObject({ keep: false, reason: 'near', duplicateOf: 'A' });
    expect(deduper.check('C', wordsText(c))).toMatchObject({ keep: false, reason: 'near', duplicateOf: 'A' });
    expect(deduper.stats().largestCluster).toBe(3);
  });

  it('reach the kept record through union-find when the fan-out cap hides it', async () => {
    const base = range(0, 200);
    const variant = (position: number): string => wordsText(base.map((word, index) => (index === position ? 5000 + position : word)));
    const deduper = await createDeduper(nearSpec, { maxBucketFanout: 2 });
    expect(deduper.check('K', wordsText(base))).toEqual({ keep: true });
    for (let member = 1; member <= 30; member++) {
      expect(deduper.check(`D${member}`, variant(member * 6))).toMatchObject({ keep: false, duplicateOf: 'K' });
    }
    // K is 31 entries deep in every bucket it shares; only the two newest members are visited.
    const verdict = deduper.check('X', variant(199));
    expect(verdict).toMatchObject({ keep: false, reason: 'near', duplicateOf: 'K' });
    expect(deduper.stats().largestCluster).toBe(32);
  });
});

describe('references (earlier versions)', () => {
  it('are indexed but never counted as checked, and their near and exact copies are dropped', async () => {
    const deduper = await createDeduper(nearSpec);
    const old = wordsText(range(0, 150));
    deduper.addReference('v1:r1', old);
    deduper.addReference('v1:r2', wordsText(range(500, 650)));
    deduper.addReference('v1:r3', old);
    const edited = wordsText([...range(0, 75), 9999, ...range(75, 150)]);
    expect(deduper.check('n1', edited)).toMatchObject({ keep: false, reason: 'near', duplicateOf: 'v1:r1' });
    expect(deduper.check('n2', old)).toEqual({ keep: false, reason: 'exact', duplicateOf: 'v1:r1' });
    expect(deduper.check('n3', wordsText(range(800, 950)))).toEqual({ keep: true });
    expect(deduper.stats()).toMatchObject({ checked: 3, references: 3, kept: 1, near: 1, exact: 1 });
  });
});

describe('dedupTextOf', () => {
  it('joins the chosen fields in spec order with a newline', () => {
    expect(dedupTextOf({ answer: 'A', question: 'Q', other: 'x' }, { fields: ['question', 'answer'] })).toBe('Q\nA');
  });

  it('JSON-encodes values that are not strings', () => {
    expect(dedupTextOf({ n: 3, flags: [true, null], meta: { a: 1 } }, { fields: ['n', 'flags', 'meta'] })).toBe('3\n[true,null]\n{"a":1}');
    expect(dedupTextOf({ value: null }, { fields: ['value'] })).toBe('null');
  });

  it('follows dotted paths through objects and arrays, after trying the literal key', () => {
    const fields = { meta: { title: 'T' }, messages: [{ content: 'first' }, { content: 'second' }], 'a.b': 'literal' };
    expect(dedupTextOf(fields, { fields: ['meta.title', 'messages.1.content', 'a.b'] })).toBe('T\nsecond\nliteral');
  });

  it('throws a coded error for a missing field instead of comparing empty text', () => {
    let error: unknown;
    try {
      dedupTextOf({ question: 'Q' }, { fields: ['answer'] }, 'r-7');
    } catch (caught) {
      error = caught;
    }
    expect(SynthforgeError.isInstance(error)).toBe(true);
    expect((error as SynthforgeError).code).toBe('dedup_field_missing');
    expect((error as Error).message).toContain('r-7');
    expect(() => dedupTextOf({ meta: {} }, { fields: ['meta.title'] })).toThrow(/meta\.title/);
  });
});
