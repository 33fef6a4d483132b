/** `synthforge preview`, through the built CLI: what it shows per record, --json events, -n, exit codes. */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

function quickstartProject(): string {
  const dir = tempDir();
  cpSync(join(process.cwd(), 'recipes'), join(dir, 'recipes'), { recursive: true });
  return dir;
}

const jsonLines = (stdout: string): Record<string, unknown>[] => stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

describe('synthforge preview', () => {
  it('shows, per record, each prompt, answer and judgment, the dedup and filter decisions and the row; exit 0', async () => {
    const dir = quickstartProject();
    const result = await runCli(['preview', 'recipes/quickstart.yaml', '--offline', '-n', '2'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^preview support-qa: 2 record\(s\), up to \d+ request\(s\) to send against the built-in emulator, 0 cached; estimated \$[\d.]+ at synchronous prices \(budget \$5\.00\)/);
    expect(out).toContain('record 1: s0-000000 (seeds[0] (product) record 1)');
    expect(out).toContain('record 2: s0-000001 (seeds[0] (product) record 2)');
    expect(out).toMatch(/ {2}question \[s0-000000, sample 0\]: valid; \d+ in \/ \d+ out, \$/);
    expect(out).toContain('      user: Write one question that a first-time user might ask about their router.');
    expect(out).toMatch(/ {4}answer: \{"question":"/);
    expect(out).toMatch(/ {2}dedup-1: s0-000000\.0 kept/);
    expect(out).toMatch(/ {2}filter-3: s0-000000\.0 (kept|removed by)/);
    expect(out).toMatch(/ {2}row: \{"id":"s0-000000\.0","messages":\[\{"role":"user"/);
    expect(out).toMatch(/preview: 2 record\(s\), \d+ request\(s\) sent, 0 cached; \d+ valid, 0 invalid; \d+ row\(s\); cost \$/);
  });

  it('--json prints typed events, one per line, ending with preview-end; a run afterwards sends none of its requests again', async () => {
    const dir = quickstartProject();
    const result = await runCli(['preview', 'recipes/quickstart.yaml', '--offline', '-n', '1', '--json'], { cwd: dir, env: { SYNTHFORGE_EMULATOR_ANSWER_WORDS: '9,0' } });
    expect(result.code).toBe(0);
    const events = jsonLines(result.stdout);
    expect(new Set(events.map((event) => event.type))).toEqual(
      new Set(['preview-start', 'preview-record', 'preview-request', 'preview-dedup', 'preview-filter', 'preview-row', 'preview-end']),
    );
    expect(events.at(-1)!.type).toBe('preview-end');
    const requests = events.filter((event) => event.type === 'preview-request') as { step: string; outcome: string; value: Record<string, string>; messages: unknown[] }[];
    expect(requests.every((event) => event.outcome === 'valid' && Array.isArray(event.messages))).toBe(true);
    // The seeded answer length: every question has exactly 9 words.
    for (const event of requests.filter((item) => item.step === 'question')) expect(event.value.question!.split(' ')).toHaveLength(9);
    const preview = (events.at(-1) as { summary: { valid: number; sent: number } }).summary;

    const run = await runCli(['run', 'recipes/quickstart.yaml', '--offline', '--json', '--poll-interval', '5'], { cwd: dir });
    expect(run.code).toBe(0);
    const end = jsonLines(run.stdout).at(-1) as { summary: { samples: { cached: number; sent: number; requested: number } } };
    expect(end.summary.samples.cached).toBe(preview.valid);
    expect(end.summary.samples.sent + end.summary.samples.cached).toBe(end.summary.samples.requested);
  });

  it.each([['0'], ['abc'], ['1001'], ['2.5']])('-n %s is a usage error (exit 2) and sends nothing', async (value) => {
    const dir = quickstartProject();
    const result = await runCli(['preview', 'recipes/quickstart.yaml', '--offline', '-n', value], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`error: -n expects a whole number of records from 1 to 1000, got "${value}"\n`);
  });

  it('refuses with exit 3, naming budget.max_usd at its line, when its estimate exceeds the budget; nothing is sent', async () => {
    const dir = quickstartProject();
    const file = join(dir, 'recipes', 'quickstart.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('budget: { max_usd: 5 }', 'budget: { max_usd: 0.0001 }'));
    const result = await runCli(['preview', 'recipes/quickstart.yaml', '--offline', '-n', '5'], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: recipes\/quickstart\.yaml:\d+:\d+: budget\.max_usd is \$0\.0001, but previewing 5 record\(s\) is estimated at \$[\d.]+ at synchronous prices; nothing was sent/);
    const status = await runCli(['status', '--json'], { cwd: dir });
    expect(JSON.parse(status.stdout)).toMatchObject({ runs: [] });
  });

  it('needs a key without --offline (exit 2), before anything is sent', async () => {
    const dir = quickstartProject();
    const result = await runCli(['preview', 'recipes/quickstart.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('OPENAI_API_KEY');
  });
});
