import { describe, expect, it } from 'vitest';
import { baselineRss, measureStage } from '../../bench/stage-meter.js';

describe('stage meter', () => {
  it('reports the items, time and memory of a stage', async () => {
    const measure = await measureStage('allocate', async () => {
      const blocks = Array.from({ length: 8 }, () => new Uint8Array(4 * 1024 * 1024).fill(1));
      await new Promise((resolve) => setTimeout(resolve, 60));
      return blocks.length;
    });
    expect(measure).toMatchObject({ name: 'allocate', items: 8 });
    expect(measure.seconds).toBeGreaterThan(0.05);
    expect(measure.cpuSeconds).toBeGreaterThan(0);
    // The 32 MiB touched during the stage is in its sampled peak.
    expect(measure.peakRssBytes).toBeGreaterThanOrEqual(measure.rssAfterGcBytes);
    expect(measure.maxRssBytes).toBeGreaterThanOrEqual(measure.peakRssBytes - 2 ** 20);
    expect(measure.heapAfterGcBytes).toBeGreaterThan(0);
    // What memoryUsage() said at the sample that saw the peak: heap and buffers told apart there.
    expect(measure.atPeak?.rss).toBe(measure.peakRssBytes);
    expect(measure.atPeak!.heapUsed).toBeGreaterThan(0);
    expect(measure.atPeak!.heapTotal).toBeGreaterThanOrEqual(measure.atPeak!.heapUsed);
    expect(await baselineRss()).toBeGreaterThan(0);
  });

  it('passes a failure of the stage through', async () => {
    await expect(measureStage('fails', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
