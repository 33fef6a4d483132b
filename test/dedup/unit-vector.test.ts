import { describe, expect, it } from 'vitest';
import { DedupVectorError } from '../../src/dedup/errors.js';
import { strideOf, vectorLengthOf, writeUnitVector } from '../../src/dedup/unit-vector.js';
import { SynthforgeError } from '../../src/errors.js';

const source = { recordId: 'r-17', field: 'embedding' };

function unit(value: unknown, expected?: number): number[] {
  const out = new Float32Array(16).fill(9);
  const dimension = writeUnitVector(value, expected, out, source);
  return Array.from(out.subarray(0, strideOf(dimension)));
}

function problemOf(value: unknown, expected?: number): { problem: unknown; message: string; code: string } {
  try {
    writeUnitVector(value, expected, new Float32Array(16), source);
  } catch (error) {
    expect(error).toBeInstanceOf(DedupVectorError);
    expect(SynthforgeError.isInstance(error)).toBe(true);
    const typed = error as DedupVectorError;
    return { problem: typed.details.problem, message: typed.message, code: typed.code };
  }
  throw new Error('expected an error');
}

describe('writeUnitVector', () => {
  it('normalises to unit length in float32 and pads the stride with zeros', () => {
    expect(unit([3, 4])).toEqual([Math.fround(0.6), Math.fround(0.8), 0, 0]);
    expect(unit(Float64Array.of(0, 0, -2, 0, 0))).toEqual([0, 0, -1, 0, 0, 0, 0, 0]);
    expect(unit(Float32Array.of(1, 1, 1, 1))).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('does not overflow or underflow on extreme magnitudes', () => {
    expect(unit([3e300, 4e300])).toEqual(unit([3, 4]));
    expect(unit([3e-320, 4e-320])).toEqual(unit([3, 4]));
  });

  it('rejects what has no cosine, naming the record, the field and the problem', () => {
    expect(problemOf(undefined)).toEqual({ problem: 'missing', code: 'dedup_vector_invalid', message: expect.stringContaining('field "embedding" of record r-17 is missing') });
    expect(problemOf('0.1, 0.2')).toMatchObject({ problem: 'not-a-vector', message: expect.stringContaining('a string') });
    expect(problemOf({ 0: 1 })).toMatchObject({ problem: 'not-a-vector' });
    expect(problemOf(null)).toMatchObject({ problem: 'not-a-vector', message: expect.stringContaining('null') });
    expect(problemOf([])).toMatchObject({ problem: 'not-a-vector', message: expect.stringContaining('empty') });
    expect(problemOf([1, '2'])).toMatchObject({ problem: 'not-finite', message: expect.stringContaining('index 1') });
    expect(problemOf([1, Number.NaN])).toMatchObject({ problem: 'not-finite' });
    expect(problemOf([1, Number.POSITIVE_INFINITY])).toMatchObject({ problem: 'not-finite' });
    expect(problemOf([1, 2, 3], 4)).toMatchObject({ problem: 'dimension', message: expect.stringContaining('has 3 dimensions, but the vectors before it have 4') });
    expect(problemOf([0, 0, -0])).toMatchObject({ problem: 'zero', message: expect.stringContaining('all zeros') });
  });

  it('reads the length of a would-be vector with the same checks', () => {
    expect(vectorLengthOf([1, 2, 3], source)).toBe(3);
    expect(() => vectorLengthOf('abc', source)).toThrow(DedupVectorError);
  });
});
