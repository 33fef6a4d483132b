import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runPostprocessChild, type MeasureResult } from '../../bench/postprocess-child.js';
import { run } from '../../bench/postprocess.bench.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { availableParallelism } from 'node:os';
import { captureLog, numberIn, summaryLines, tableRows } from './captured-tables.js';

describe('post-processing benchmark (smoke)', () => {
  it('collects, dedups and writes a tiny size and prints its tables', async () => {
    const text = await captureLog(() => run(['--sizes=200,300', '--in-process']));
    const stages = tableRows(text, 'lines').filter((row) => 'stage' in row);
    // As a run does it: emit, dedup and the write overlap, measured as one stage.
    expect(stages.map((row) => row.stage)).toEqual([
      'collect: parse → validate → store',
      'emit → dedup → write, overlapped',
      'collect: parse → validate → store',
      'emit → dedup → write, overlapped',
    ]);
    expect(stages.map((row) => numberIn(row.items))).toEqual([200, 200, 300, 300]);

    const outcomes = tableRows(text, 'lines').filter((row) => 'invalid by reason' in row);
    expect(outcomes).toHaveLength(2);
    for (const row of outcomes) {
      const invalid = [...row['invalid by reason']!.matchAll(/\d+/g)].reduce((sum, match) => sum + Number(match[0]), 0);
      // Every line is either a valid sample or counted invalid; dedup only removes valid ones.
      expect(numberIn(row.valid) + invalid).toBe(numberIn(row.lines));
      expect(numberIn(row.rows)).toBe(numberIn(row.valid) - numberIn(row['exact dup.']) - numberIn(row['near dup.']));
    }
    const endToEnd = tableRows(text, 'lines').filter((row) => 'floor lines/s' in row);
    expect(endToEnd.map((row) => numberIn(row['lines/s']))).toEqual([expect.any(Number), expect.any(Number)]);
    expect(numberIn(endToEnd[0]!['× floor time'])).toBeGreaterThan(0);
    expect(text).toMatch(/peak RSS 300 \/ 200: [\d.]+× dedup index aside/);

    const summaries = summaryLines(text, 'postprocess');
    expect(summaries.map((line) => line.lines)).toEqual(['200', '300']);
    for (const line of summaries) {
      expect(Number(line.lines_per_s)).toBeGreaterThan(0);
      expect(Number(line.floor_ratio)).toBeGreaterThan(0);
      // Linux's per-thread counters give the main thread's own CPU, a part of the whole process's.
      if (process.platform === 'linux') {
        expect(Number(line.main_us_per_line)).toBeGreaterThan(0);
        expect(Number(line.main_us_per_line)).toBeLessThanOrEqual(Number(line.cpu_us_per_line));
      }
      expect(Number(line.cores)).toBe(availableParallelism());
    }
  });
});

describe('post-processing benchmark through its child process (smoke)', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('measures in a child run with V8\'s options, its collect, emit and write threads started', async () => {
    // The child runs with --expose-gc and the heap growing factor: threads must start under them.
    for (const name of ['SYNTHFORGE_COLLECT_THREADS', 'SYNTHFORGE_EMIT_THREADS', 'SYNTHFORGE_WRITE_THREADS']) vi.stubEnv(name, '1');
    const text = await captureLog(() => run(['--sizes=200']));
    const [summary] = summaryLines(text, 'postprocess');
    expect(summary).toMatchObject({ lines: '200' });
    expect(Number(summary!.lines_per_s)).toBeGreaterThan(0);
  });
});

describe('postprocess-child --stage=write', () => {
  const tempDir = useTempDirs();

  it('--sequential measures emit, dedup and write apart, and writes the data the overlapped stages write', async () => {
    const measured = async (extra: [string, string][]) => {
      const dir = join(tempDir(), 'work');
      await runPostprocessChild(new Map([['mode', 'prepare'], ['dir', dir], ['records', '150']]));
      const result = (await runPostprocessChild(new Map([['mode', 'measure'], ['dir', dir], ...extra]))) as MeasureResult;
      return { result, data: join(dir, 'outputs', 'bench-postprocess', 'v1', 'data') };
    };
    const overlapped = await measured([]);
    const sequential = await measured([['sequential', 'true']]);
    expect(sequential.result.stages.map((stage) => stage.name)).toEqual([
      'collect: parse → validate → store',
      'emit samples → stage file',
      'dedup: exact + near (0.8)',
      'write version: JSONL + Parquet',
    ]);
    expect(sequential.result.counts).toEqual(overlapped.result.counts);
    const files = readdirSync(overlapped.data);
    expect(readdirSync(sequential.data)).toEqual(files);
    for (const name of files) expect(readFileSync(join(sequential.data, name)).equals(readFileSync(join(overlapped.data, name)))).toBe(true);
  });

  it('measures only the write stage, from the stage file a full measure left, into --outputs, with the same bytes (other Parquet bytes at --compression-level)', async () => {
    const dir = join(tempDir(), 'work');
    await runPostprocessChild(new Map([['mode', 'prepare'], ['dir', dir], ['records', '150']]));
    const full = (await runPostprocessChild(new Map([['mode', 'measure'], ['dir', dir]]))) as MeasureResult;
    const outputs = join(tempDir(), 'outputs');
    const write = (await runPostprocessChild(new Map([['mode', 'measure'], ['dir', dir], ['stage', 'write'], ['outputs', outputs]]))) as MeasureResult;
    expect(write.stages.map((stage) => stage.name)).toEqual(['write version: JSONL + Parquet']);
    expect(write.counts.rows).toBe(full.counts.rows);
    if (process.platform === 'linux') expect(write.stages[0]!.mainCpuSeconds).toBeGreaterThanOrEqual(0);
    const dataOf = (root: string) => join(root, 'bench-postprocess', 'v1', 'data');
    const files = readdirSync(dataOf(join(dir, 'outputs')));
    expect(readdirSync(dataOf(outputs))).toEqual(files);
    for (const name of files) expect(readFileSync(join(dataOf(outputs), name)).equals(readFileSync(join(dataOf(join(dir, 'outputs')), name)))).toBe(true);
    // --compression-level: the same rows and JSONL, other Parquet bytes.
    const level1 = join(tempDir(), 'level1');
    const fast = (await runPostprocessChild(new Map([['mode', 'measure'], ['dir', dir], ['stage', 'write'], ['outputs', level1], ['compression-level', '1']]))) as MeasureResult;
    expect(fast.counts.rows).toBe(full.counts.rows);
    for (const name of files) expect(readFileSync(join(dataOf(level1), name)).equals(readFileSync(join(dataOf(outputs), name)))).toBe(name.endsWith('.jsonl'));
  });
});
