import { describe, expect, it } from 'vitest';
import {
  candidateProbability,
  chooseLshParams,
  falseNegativeProbability,
  falsePositiveProbability,
  sCurveKnee,
} from '../../src/dedup/lsh-params.js';
import { UsageError } from '../../src/errors.js';

describe('S-curve', () => {
  it('matches the S-curve table: candidate probability and knee per bands × rows', () => {
    const table: [number, number, Record<number, number>, number][] = [
      [16, 8, { 0.3: 0.001, 0.5: 0.061, 0.6: 0.237, 0.7: 0.613, 0.75: 0.815, 0.8: 0.947, 0.85: 0.994, 0.9: 1.0 }, 0.707],
      [20, 6, { 0.3: 0.014, 0.4: 0.079, 0.5: 0.27, 0.6: 0.615, 0.7: 0.918, 0.75: 0.98, 0.8: 0.998 }, 0.607],
      [9, 13, { 0.7: 0.084, 0.75: 0.195, 0.8: 0.399, 0.85: 0.686, 0.9: 0.929, 0.95: 0.998 }, 0.844],
      [14, 8, { 0.5: 0.053, 0.7: 0.565, 0.8: 0.924, 0.85: 0.988 }, 0.719],
      [8, 16, { 0.8: 0.204, 0.9: 0.806 }, 0.878],
    ];
    for (const [bands, rows, points, knee] of table) {
      for (const [similarity, probability] of Object.entries(points)) {
        expect(candidateProbability(Number(similarity), bands, rows), `${bands}x${rows} at ${similarity}`).toBeCloseTo(probability, 3);
      }
      expect(sCurveKnee(bands, rows)).toBeCloseTo(knee, 3);
    }
  });
});

describe('false-positive and false-negative integrals', () => {
  it('integrate the S-curve below and above the threshold', () => {
    // With one band, P(s) = s^r: FP(t) = t^(r+1)/(r+1) and FN(t) = (1 - t) - (1 - t^(r+1))/(r+1).
    const r = 4;
    const t = 0.7;
    expect(falsePositiveProbability(t, 1, r)).toBeCloseTo(t ** (r + 1) / (r + 1), 9);
    expect(falseNegativeProbability(t, 1, r)).toBeCloseTo(1 - t - (1 - t ** (r + 1)) / (r + 1), 9);
  });

  it('rank the presets as the research says: 9×13 misses more, 20×6 admits more', () => {
    expect(falseNegativeProbability(0.8, 9, 13)).toBeGreaterThan(falseNegativeProbability(0.8, 16, 8));
    expect(falseNegativeProbability(0.8, 16, 8)).toBeGreaterThan(falseNegativeProbability(0.8, 20, 6));
    expect(falsePositiveProbability(0.8, 20, 6)).toBeGreaterThan(falsePositiveProbability(0.8, 16, 8));
    expect(falsePositiveProbability(0.8, 16, 8) + falseNegativeProbability(0.8, 16, 8)).toBeGreaterThan(0);
  });
});

describe('chooseLshParams', () => {
  it('picks 16×8 for threshold 0.8 at 128 permutations', () => {
    expect(chooseLshParams({ threshold: 0.8, numPerm: 128 })).toEqual({ bands: 16, rows: 8, source: 'standard' });
    expect(chooseLshParams({ threshold: 0.9, numPerm: 128 })).toMatchObject({ bands: 16, rows: 8 });
  });

  it('picks 20×6 for high recall and for thresholds ≤ 0.7 that it can serve', () => {
    expect(chooseLshParams({ threshold: 0.8, numPerm: 128, highRecall: true })).toEqual({ bands: 20, rows: 6, source: 'high-recall' });
    expect(chooseLshParams({ threshold: 0.7, numPerm: 128 })).toEqual({ bands: 20, rows: 6, source: 'high-recall' });
    expect(chooseLshParams({ threshold: 0.75, numPerm: 128 })).toMatchObject({ bands: 20, rows: 6 });
  });

  it('searches for lower thresholds instead of using a curve that would miss most pairs', () => {
    const params = chooseLshParams({ threshold: 0.5, numPerm: 128 });
    expect(params.source).toBe('search');
    expect(candidateProbability(0.5, params.bands, params.rows)).toBeGreaterThanOrEqual(0.9);
    expect(params.bands * params.rows).toBeLessThanOrEqual(128);
  });

  it('scales band counts with num_perm, falling back to 20×6-style rows when the curve gets too flat', () => {
    // 8×8 at K = 64 has P(0.8) = 0.77 < 0.9, so the scaled high-recall preset (10×6, P = 0.95) serves.
    expect(chooseLshParams({ threshold: 0.8, numPerm: 64 })).toMatchObject({ bands: 10, rows: 6 });
    expect(chooseLshParams({ threshold: 0.8, numPerm: 256 })).toMatchObject({ bands: 32, rows: 8 });
    expect(chooseLshParams({ threshold: 0.8, numPerm: 256, highRecall: true })).toMatchObject({ bands: 40, rows: 6 });
  });

  it('takes explicit bands and rows, completing one from the other, and rejects too many', () => {
    expect(chooseLshParams({ threshold: 0.8, numPerm: 128, bands: 14, rows: 8 })).toEqual({ bands: 14, rows: 8, source: 'explicit' });
    expect(chooseLshParams({ threshold: 0.8, numPerm: 128, rows: 6 })).toMatchObject({ bands: 21, rows: 6 });
    let error: unknown;
    try {
      chooseLshParams({ threshold: 0.8, numPerm: 128, bands: 20, rows: 8 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(/20 × 8 = 160 exceeds num_perm 128/);
  });
});
