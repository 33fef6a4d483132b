import { describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { hashUnit, splitOfUnit, StratifiedSplits } from '../../src/dataset/split-assigner.js';
import { createRandom } from '../../bench/random.js';

const SPLITS = [
  ['train', 0.8],
  ['validation', 0.1],
  ['test', 0.1],
] as const;

const ids = (count: number, start = 0) => Array.from({ length: count }, (_, index) => `r-${start + index}`);

function assignAll(list: string[]): Map<string, string> {
  return new Map(list.map((id) => [id, splitOfUnit(hashUnit(id), SPLITS)]));
}

function stratifiedAssign(list: { id: string; stratum: string }[]): Map<string, string> {
  const splits = new StratifiedSplits(SPLITS);
  for (const item of list) splits.add(item.stratum, hashUnit(item.id));
  return new Map(list.map((item) => [item.id, splits.splitOf(item.stratum, hashUnit(item.id))]));
}

describe('hashUnit', () => {
  it('is deterministic and lies in [0, 1)', () => {
    expect(hashUnit('s0-000001')).toBe(hashUnit('s0-000001'));
    expect(hashUnit('s0-000001')).not.toBe(hashUnit('s0-000002'));
    for (const id of ids(1000)) {
      const unit = hashUnit(id);
      expect(unit).toBeGreaterThanOrEqual(0);
      expect(unit).toBeLessThan(1);
    }
  });
});

describe('hashUnit of short ASCII ids (computed without the crypto binding)', () => {
  it('equals the first 52 bits of the crypto module\'s sha256 for every length, ASCII or not', () => {
    const random = createRandom(3);
    const reference = (id: string) => {
      const digest = crypto.createHash('sha256').update(id).digest();
      return ((digest.readUInt32BE(0) >>> 12) * 2 ** 32 + digest.readUInt32BE(4)) / 2 ** 52;
    };
    for (let length = 0; length <= 64; length++) {
      for (let trial = 0; trial < 40; trial++) {
        let id = '';
        for (let index = 0; index < length; index++) id += String.fromCharCode(Math.floor(random() * 128));
        if (trial === 0 && length > 0) id = `${id.slice(0, -1)}é`;
        expect(hashUnit(id), JSON.stringify(id)).toBe(reference(id));
      }
    }
  });
});

describe('splitOfUnit', () => {
  it('walks the cumulative fractions in order, the top sliver going to the last split', () => {
    expect(splitOfUnit(0, SPLITS)).toBe('train');
    expect(splitOfUnit(0.79, SPLITS)).toBe('train');
    expect(splitOfUnit(0.85, SPLITS)).toBe('validation');
    expect(splitOfUnit(0.95, SPLITS)).toBe('test');
    expect(splitOfUnit(0.9999999, [['a', 0.5], ['b', 0.4999]])).toBe('b');
  });

  it('gives 20,000 ids fractions within 4 standard deviations', () => {
    const counts = new Map<string, number>();
    for (const split of assignAll(ids(20_000)).values()) counts.set(split, (counts.get(split) ?? 0) + 1);
    for (const [name, fraction] of SPLITS) {
      const sigma = Math.sqrt((fraction * (1 - fraction)) / 20_000);
      expect(Math.abs((counts.get(name) ?? 0) / 20_000 - fraction)).toBeLessThan(4 * sigma);
    }
  });

  it('keeps every existing id in its split when the dataset grows', () => {
    const before = assignAll(ids(1000));
    const after = assignAll(ids(3000));
    for (const [id, split] of before) expect(after.get(id)).toBe(split);
  });
});

describe('StratifiedSplits', () => {
  const items = (count: number, start = 0) =>
    ids(count, start).map((id, index) => ({ id, stratum: (start + index) % 10 === 0 ? 'rare' : (start + index) % 2 ? 'odd' : 'even' }));

  it('gives every stratum its fractions to within one record per split', () => {
    const list = items(2000);
    const assigned = stratifiedAssign(list);
    for (const stratum of ['rare', 'odd', 'even']) {
      const members = list.filter((item) => item.stratum === stratum);
      for (const [name, fraction] of SPLITS) {
        const count = members.filter((item) => assigned.get(item.id) === name).length;
        expect(Math.abs(count - fraction * members.length)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('moves at most (splits - 1) existing records per added record', () => {
    const before = stratifiedAssign(items(1000));
    const after = stratifiedAssign(items(1050));
    const moved = [...before].filter(([id, split]) => after.get(id) !== split).length;
    expect(moved).toBeLessThanOrEqual(50 * (SPLITS.length - 1));
  });

  it('is deterministic', () => {
    expect([...stratifiedAssign(items(500))]).toEqual([...stratifiedAssign(items(500))]);
  });
});
