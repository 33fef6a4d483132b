import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { summaryLine, summaryWord } from '../../bench/bench-table.js';
import { SUMMARY_LINE } from './captured-tables.js';

describe('summaryLine', () => {
  it('writes one space-separated line of key=value figures, plain numbers, cores last', () => {
    const line = summaryLine('planning', { requests: 100_000, n: 1, req_per_s: 7270.4, baseline_ratio: 14.53, cpu_us_per_req: 0.12345 });
    expect(line).toBe(`summary planning requests=100000 n=1 req_per_s=7270 baseline_ratio=14.53 cpu_us_per_req=0.123 cores=${availableParallelism()}`);
    expect(line).toMatch(SUMMARY_LINE);
  });

  it('takes one-word values and writes a figure that is not finite as nan', () => {
    expect(summaryLine('minhash', { case: 'ours_wasm_1_thread', ratio: Number.POSITIVE_INFINITY })).toMatch(/^summary minhash case=ours_wasm_1_thread ratio=nan cores=\d+$/);
  });

  it('refuses keys and values that would break the format', () => {
    expect(() => summaryLine('planning', { 'req/s': 1 })).toThrow(/snake_case/);
    expect(() => summaryLine('planning', { case: 'two words' })).toThrow(/one word/);
  });

  it('turns a case name into one word', () => {
    expect(summaryWord('ours, WASM SIMD kernel, 2 worker threads')).toBe('ours_wasm_simd_kernel_2_worker_threads');
    expect(summaryWord('**WASM SIMD, four queries per pass (dots4)**')).toBe('wasm_simd_four_queries_per_pass_dots4');
  });
});
