/** Each sampler on 100,000 draws: the distribution it promises, within a tolerance far outside chance. */
import { describe, expect, it } from 'vitest';
import type { Fields } from '../../../src/domain.js';
import { samplersSeedSchema, type SamplerColumnInput } from '../../../src/seeds/samplers/sampler-spec.js';
import { sampleRecords } from '../../../src/seeds/samplers/sample-records.js';

const DRAWS = 100_000;

function draw(columns: Record<string, SamplerColumnInput>, count = DRAWS, seed = 1): Fields[] {
  const spec = samplersSeedSchema.parse({ count, seed, columns });
  return [...sampleRecords({ kind: 'samplers', ...spec } as Parameters<typeof sampleRecords>[0])].map((record) => record.fields);
}

function column(records: Fields[], name: string): number[] {
  return records.map((record) => record[name] as number);
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function sd(values: number[]): number {
  const centre = mean(values);
  return Math.sqrt(values.reduce((sum, value) => sum + (value - centre) ** 2, 0) / values.length);
}

function frequencies(values: unknown[]): Map<unknown, number> {
  const counts = new Map<unknown, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return new Map([...counts].map(([value, count]) => [value, count / values.length]));
}

describe('samplers: distributions on 100K draws', () => {
  it('category: each value within ±1% of its weight; a zero weight is never drawn; no weights is uniform', () => {
    const records = draw({
      topic: { category: { values: ['billing', 'shipping', 'returns', 'never'], weights: [5, 3, 2, 0] } },
      plain: { category: { values: [1, 2, 3, 4] } },
    });
    const topic = frequencies(records.map((record) => record.topic));
    expect(Math.abs(topic.get('billing')! - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(topic.get('shipping')! - 0.3)).toBeLessThan(0.01);
    expect(Math.abs(topic.get('returns')! - 0.2)).toBeLessThan(0.01);
    expect(topic.has('never')).toBe(false);
    for (const value of [1, 2, 3, 4]) expect(Math.abs(frequencies(records.map((record) => record.plain)).get(value)! - 0.25)).toBeLessThan(0.01);
  });

  it('subcategory: always a value listed for the parent\'s value, evenly among them', () => {
    const values = { billing: ['refund', 'invoice'], shipping: ['late', 'lost', 'damaged'] };
    const records = draw({
      topic: { category: { values: ['billing', 'shipping'] } },
      subtopic: { subcategory: { of: 'topic', values } },
    });
    expect(records.filter((record) => !values[record.topic as keyof typeof values].includes(record.subtopic as string))).toEqual([]);
    const shipping = records.filter((record) => record.topic === 'shipping').map((record) => record.subtopic);
    for (const value of values.shipping) expect(Math.abs(frequencies(shipping).get(value)! - 1 / 3)).toBeLessThan(0.01);
  });

  it('uniform: within bounds with the right mean; round: 0 gives every whole number the same share, ends included', () => {
    const records = draw({ x: { uniform: { min: -2, max: 8 } }, die: { uniform: { min: 1, max: 6, round: 0 } }, price: { uniform: { min: 0, max: 1, round: 2 } } });
    const x = column(records, 'x');
    expect(Math.min(...x)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...x)).toBeLessThan(8);
    expect(Math.abs(mean(x) - 3)).toBeLessThan(0.05);
    const die = frequencies(column(records, 'die'));
    expect([...die.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    for (const share of die.values()) expect(Math.abs(share - 1 / 6)).toBeLessThan(0.01);
    expect(column(records, 'price').filter((price) => Math.round(price * 100) / 100 !== price)).toEqual([]);
    expect(frequencies(column(records, 'price')).size).toBe(101);
  });

  it('gaussian: mean and sd within 1%; bounds and rounding always hold', () => {
    const records = draw({
      score: { gaussian: { mean: 50, sd: 10 } },
      age: { gaussian: { mean: 35, sd: 10, min: 18, max: 90, round: 0 } },
    });
    const score = column(records, 'score');
    expect(Math.abs(mean(score) - 50)).toBeLessThan(0.1);
    expect(Math.abs(sd(score) - 10)).toBeLessThan(0.1);
    const age = column(records, 'age');
    expect(age.filter((value) => !Number.isInteger(value) || value < 18 || value > 90)).toEqual([]);
    // Truncating below 18 (1.7 sd) raises the mean to 35 + 10·φ(−1.7)/(1 − Φ(−1.7)) ≈ 36.0.
    expect(Math.abs(mean(age) - 36.0)).toBeLessThan(0.15);
  });

  it('poisson: mean and variance λ, for small λ and large λ', () => {
    const records = draw({ small: { poisson: { lambda: 2 } }, large: { poisson: { lambda: 150 } } });
    for (const [name, lambda] of [['small', 2], ['large', 150]] as const) {
      const values = column(records, name);
      expect(values.filter((value) => !Number.isInteger(value) || value < 0)).toEqual([]);
      expect(Math.abs(mean(values) - lambda) / lambda).toBeLessThan(0.01);
      expect(Math.abs(sd(values) ** 2 - lambda) / lambda).toBeLessThan(0.03);
    }
  });

  it('datetime: in range, aligned to the unit, both ends reachable', () => {
    const records = draw({
      day: { datetime: { from: '2024-01-01', to: '2024-12-31' } },
      hour: { datetime: { from: '2024-03-10T08:30:00Z', to: '2024-03-10T12:00:00Z', unit: 'hour' } },
    });
    const days = records.map((record) => record.day as string);
    expect(days.filter((day) => !/^2024-\d{2}-\d{2}$/.test(day) || day < '2024-01-01' || day > '2024-12-31')).toEqual([]);
    expect(new Set(days).size).toBe(366);
    const hours = frequencies(records.map((record) => record.hour));
    expect([...hours.keys()].sort()).toEqual(['2024-03-10T09:00:00Z', '2024-03-10T10:00:00Z', '2024-03-10T11:00:00Z', '2024-03-10T12:00:00Z']);
    for (const share of hours.values()) expect(Math.abs(share - 0.25)).toBeLessThan(0.01);
  });

  it('uuid: version 4 format (version nibble 4, variant 10xx), all distinct', () => {
    const ids = draw({ id: { uuid: {} } }).map((record) => record.id as string);
    expect(ids.filter((id) => !/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(DRAWS);
  });

  it('person: the fields asked for, ages in range, emails from the names, locale-specific names', () => {
    const fields = ['first_name', 'last_name', 'full_name', 'sex', 'age', 'email', 'phone', 'city', 'country', 'job_title'] as const;
    const records = draw({ en: { person: { fields: [...fields], age: { min: 20, max: 30 } } }, ja: { person: { locale: 'ja', fields: ['last_name'] } } }, 2000);
    for (const record of records) {
      const person = record.en as Record<string, unknown>;
      expect(Object.keys(person)).toEqual([...fields]);
      expect(person.age as number).toBeGreaterThanOrEqual(20);
      expect(person.age as number).toBeLessThanOrEqual(30);
      expect(['female', 'male']).toContain(person.sex);
      expect(person.email).toMatch(/@/);
      expect(Object.keys(record.ja as object)).toEqual(['last_name']);
    }
    // Japanese surnames are written in kanji.
    const japanese = records.filter((record) => /[\u4e00-\u9fff]/.test((record.ja as { last_name: string }).last_name));
    expect(japanese.length).toBe(records.length);
    expect(new Set(records.map((record) => (record.en as { first_name: string }).first_name)).size).toBeGreaterThan(100);
  });
});
