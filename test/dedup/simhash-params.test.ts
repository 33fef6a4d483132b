import { describe, expect, it } from 'vitest';
import {
  chooseSimHashParams,
  DESIGN_RECALL,
  hyperplaneCollisionProbability,
  simhashCandidateProbability,
  simhashPaysOff,
  tablesForRecall,
} from '../../src/dedup/simhash-params.js';
import { LshParamsError } from '../../src/dedup/errors.js';

describe('simhash parameters', () => {
  it('uses the collision probability 1 − θ/π per hyperplane', () => {
    expect(hyperplaneCollisionProbability(1)).toBe(1);
    expect(hyperplaneCollisionProbability(0)).toBeCloseTo(0.5, 12);
    expect(hyperplaneCollisionProbability(-1)).toBe(0);
    expect(hyperplaneCollisionProbability(Math.cos(Math.PI / 3))).toBeCloseTo(2 / 3, 12);
    // Clamped: float rounding can put a cosine a hair beyond ±1.
    expect(hyperplaneCollisionProbability(1.0000001)).toBe(1);
  });

  it('combines b bits and L tables as 1 − (1 − p^b)^L', () => {
    const p = hyperplaneCollisionProbability(0.95);
    expect(simhashCandidateProbability(0.95, 14, 14)).toBeCloseTo(1 - (1 - p ** 14) ** 14, 12);
    expect(simhashCandidateProbability(0.99, 14, 14)).toBeGreaterThan(simhashCandidateProbability(0.95, 14, 14));
    expect(tablesForRecall(0.95, 14)).toBe(14);
    expect(simhashCandidateProbability(0.95, 14, 13)).toBeLessThan(DESIGN_RECALL);
  });

  it('chooses 14 bits × 14 tables at 0.95, reaching the design recall at the threshold', () => {
    expect(chooseSimHashParams({ threshold: 0.95 })).toEqual({ bits: 14, tables: 14, source: 'chosen', recallAtThreshold: expect.closeTo(0.9718, 4) });
    for (const threshold of [0.7, 0.8, 0.9, 0.95, 0.97, 0.99, 1]) {
      const params = chooseSimHashParams({ threshold })!;
      expect(params.recallAtThreshold, `threshold ${threshold}`).toBeGreaterThanOrEqual(DESIGN_RECALL);
      expect(params.tables).toBeLessThanOrEqual(64);
      expect(simhashPaysOff(params)).toBe(true);
    }
  });

  it('does not pay off at low thresholds, so auto stays exact there', () => {
    const params = chooseSimHashParams({ threshold: 0.6 })!;
    expect(params.recallAtThreshold).toBeGreaterThanOrEqual(DESIGN_RECALL);
    expect(simhashPaysOff(params)).toBe(false);
  });

  it('honours explicit bits and tables', () => {
    expect(chooseSimHashParams({ threshold: 0.95, bits: 10, tables: 3 })).toMatchObject({ bits: 10, tables: 3, source: 'explicit' });
    expect(chooseSimHashParams({ threshold: 0.95, bits: 10 })).toMatchObject({ bits: 10, tables: tablesForRecall(0.95, 10) });
    const fromTables = chooseSimHashParams({ threshold: 0.95, tables: 20 })!;
    expect(fromTables.recallAtThreshold).toBeGreaterThanOrEqual(DESIGN_RECALL);
    expect(simhashCandidateProbability(0.95, fromTables.bits + 1, 20)).toBeLessThan(DESIGN_RECALL);
    expect(() => chooseSimHashParams({ threshold: 0.5, bits: 30 })).toThrow(LshParamsError);
  });
});
