/**
 * The viewer's HTTP routes over a real offline run: the JSON they return, paging and search, one
 * sample's story, and what they refuse (unknown names, path traversal, foreign Host headers).
 */
import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startViewServer, type ViewServer } from '../../src/view/view-server.js';
import { buildViewFixture, type ViewFixture } from './view-fixture.js';

let fixture: ViewFixture;
let server: ViewServer;

beforeAll(async () => {
  fixture = await buildViewFixture();
  server = await startViewServer({ outputsRoot: fixture.outputsRoot, stateDir: fixture.stateDir });
}, 120_000);

afterAll(async () => {
  await server?.close();
  fixture?.remove();
});

/** fetch() will not send a Host header of our choosing; node:http will. */
function statusWithHost(path: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const request = httpGet({ host: '127.0.0.1', port: server.port, path, headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('error', reject);
  });
}

async function get(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL(path, server.url));
  const text = await response.text();
  return { status: response.status, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

function jsonl(version: string, file: string): Record<string, unknown>[] {
  return readFileSync(join(fixture.outputsRoot, 'support-qa', version, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** The split's rows as openDataset gives them: openai-chat data files hold no id, the n-th row's id is the n-th lineage entry's. */
function dataLines(version: string): Record<string, unknown>[] {
  const rows = jsonl(version, join('data', 'train-00000-of-00001.jsonl'));
  const ids = jsonl(version, 'lineage.jsonl').filter((entry) => entry.split === 'train').map((entry) => entry.id);
  expect(rows.every((row) => row.id === undefined)).toBe(true);
  expect(ids).toHaveLength(rows.length);
  return rows.map((row, index) => ({ id: ids[index], ...row }));
}

describe('synthforge view: HTTP routes', () => {
  it('binds the loopback address by default', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('lists datasets with their versions, and one version with its steps', async () => {
    const list = await get('/api/datasets');
    expect(list.status).toBe(200);
    expect(list.body.datasets.map((d: any) => [d.name, d.versions.map((v: any) => v.version)])).toEqual([['support-qa', ['v1', 'v2']]]);
    const version = await get('/api/datasets/support-qa/v1');
    expect(version.body).toMatchObject({ dataset: 'support-qa', version: 'v1', format: 'openai-chat', runId: fixture.runIds[0] });
    expect(version.body.steps.map((s: any) => s.name)).toEqual(['question', 'dedup-1', 'answer', 'filter-3']);
  });

  it('pages rows by offset, in file order, with the split total', async () => {
    const all = dataLines('v1');
    const page = await get('/api/datasets/support-qa/v1/rows?split=train&offset=5&limit=7');
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(all.length);
    expect(page.body.rows.map((r: any) => r.index)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(page.body.rows.map((r: any) => r.row)).toEqual(all.slice(5, 12));
    const last = await get(`/api/datasets/support-qa/v1/rows?offset=${all.length - 2}&limit=50`);
    expect(last.body.rows.map((r: any) => r.row)).toEqual(all.slice(-2));
  });

  it('searches values (not keys), case folded, and says where the next page starts', async () => {
    const all = dataLines('v1');
    const word = String((all[3]!.messages as { content: string }[])[0]!.content.split(' ')[2]).toUpperCase();
    const expected = all.map((row, index) => ({ row, index })).filter(({ row }) => JSON.stringify(row).toUpperCase().includes(word));
    const first = await get(`/api/datasets/support-qa/v1/search?q=${encodeURIComponent(word)}&limit=1`);
    expect(first.body.matches).toEqual([expected[0]]);
    if (expected.length > 1) expect(first.body.next).toBe(expected[1]!.index);
    const keysOnly = await get('/api/datasets/support-qa/v1/search?q=assistant');
    expect(keysOnly.body.matches.length).toBe(all.length); // "assistant" is a role value in every row
    const quoted = await get(`/api/datasets/support-qa/v1/search?q=${encodeURIComponent(`"${word}`)}`);
    expect(quoted.status).toBe(200); // a quote is escaped in the file, so every row is parsed; no value starts with one
    const byId = await get(`/api/datasets/support-qa/v1/search?q=${encodeURIComponent(String(all[4]!.id))}`);
    expect(byId.body.matches).toEqual([{ row: all[4], index: 4 }]); // the id is a value of the row though the data file leaves it out
    const none = await get('/api/datasets/support-qa/v1/search?q=messages');
    expect(none.body.matches).toEqual([]);
    expect(none.body.next).toBeUndefined();
  });

  it("tells one sample's story: seed with its source, every attempt sent, answers, dedup and filter decisions, cost", async () => {
    const lineage = readFileSync(join(fixture.outputsRoot, 'support-qa', 'v1', 'lineage.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const retried = lineage.find((entry) => entry.steps.some((step: any) => step.attempt > 1));
    expect(retried).toBeDefined();
    const story = await get(`/api/datasets/support-qa/v1/samples/${retried.id}`);
    expect(story.status).toBe(200);
    expect(story.body.row.id).toBe(retried.id);
    expect(story.body.seed).toMatchObject({ id: retried.seed_id, source: expect.stringMatching(/^(seeds\[0\] \(product\) record \d+|seeds\/tickets\.jsonl:\d+)$/) });
    const step = story.body.steps.find((s: any) => s.attempts.length > 1);
    expect(step.attempts.at(-1)).toMatchObject({ outcome: 'valid', final: true, answer: expect.any(Object) });
    expect(step.attempts[0].outcome).not.toBe('valid');
    expect(step.attempts[0].reason).toEqual(expect.any(String));
    expect(step.attempts[0].request.body.messages).toEqual(expect.any(Array));
    expect(story.body.decisions.map((d: any) => [d.step, d.verdict])).toEqual([
      ['dedup-1', 'kept'],
      ['filter-3', 'passed'],
    ]);
    expect(story.body.cost.usd).toBeGreaterThan(0);
    expect(story.body.cost.inputTokens).toBeGreaterThan(0);
  });

  it('groups rejects and invalid answers by reason, and shows dedup clusters with similarity', async () => {
    const problems = await get('/api/datasets/support-qa/v1/problems');
    expect(problems.body.invalid.length).toBeGreaterThan(0);
    expect(problems.body.invalid[0]).toMatchObject({ step: expect.any(String), outcome: expect.stringMatching(/not_json|schema_violation/), count: expect.any(Number) });
    const rejects = readFileSync(join(fixture.outputsRoot, 'support-qa', 'v1', 'rejects.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(problems.body.rejects.reduce((sum: number, g: any) => sum + g.count, 0)).toBe(rejects.length);
    const dedup = await get('/api/datasets/support-qa/v1/dedup');
    expect(dedup.body.keptRejects).toBe(true);
    const cluster = dedup.body.clusters[0];
    expect(cluster.kept.fields.question).toEqual(expect.any(String));
    expect(cluster.dropped[0]).toMatchObject({ how: expect.stringMatching(/exact|near/), id: expect.any(String) });
    const dropped = await get(`/api/datasets/support-qa/v1/samples/${cluster.dropped[0].id}`);
    expect(dropped.body.rejected).toMatchObject({ step: 'dedup-1', kind: 'duplicate' });
    expect(dropped.body.decisions).toEqual([expect.objectContaining({ step: 'dedup-1', verdict: 'removed' })]);
  });

  it('breaks cost and tokens down per step and provider from the ledger', async () => {
    const costs = await get('/api/datasets/support-qa/v1/costs');
    expect(costs.body.slices.map((s: any) => [s.step, s.provider, s.model])).toEqual([
      ['question', 'openai', 'gpt-4o-mini'],
      ['answer', 'openai', 'gpt-4o-mini'],
    ]);
    const total = costs.body.slices.reduce((sum: number, s: any) => sum + s.costUsd, 0);
    expect(total).toBeCloseTo(costs.body.totals.usd, 10);
  });

  it('diffs two versions', async () => {
    const diff = await get('/api/datasets/support-qa/diff/v1/v2');
    expect(diff.status).toBe(200);
    expect(diff.body.counts.removed).toBeGreaterThan(0);
    expect(diff.body.removed.every((id: string) => id.startsWith('s1-000003'))).toBe(true);
  });

  it('lists runs and describes one', async () => {
    const runs = await get('/api/runs');
    expect(runs.body.runs.map((r: any) => r.id).sort()).toEqual([...fixture.runIds].sort());
    const run = await get(`/api/runs/${fixture.runIds[0]}`);
    expect(run.body.run.status).toBe('completed');
    expect(run.body.shards.total).toBeGreaterThan(0);
  });

  it('answers 404 with a coded JSON error for what is not there', async () => {
    expect(await get('/api/datasets/nope')).toMatchObject({ status: 404, body: { error: { code: 'dataset_not_found' } } });
    expect(await get('/api/datasets/support-qa/v9')).toMatchObject({ status: 404, body: { error: { code: 'dataset_not_found', message: expect.stringContaining('versions: v1, v2') } } });
    expect(await get('/api/datasets/support-qa/v1/samples/no-such-id')).toMatchObject({ status: 404, body: { error: { code: 'sample_not_found' } } });
    expect(await get('/api/runs/run-nope')).toMatchObject({ status: 404, body: { error: { code: 'run_not_found' } } });
    expect(await get('/api/nothing')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });

  it('answers 400 for bad parameters', async () => {
    expect(await get('/api/datasets/support-qa/v1/rows?limit=100000')).toMatchObject({ status: 400, body: { error: { code: 'view_query_invalid', message: expect.stringContaining('limit') } } });
    expect(await get('/api/datasets/support-qa/v1/rows?split=test')).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('splits: train') } } });
    expect(await get('/api/datasets/support-qa/v1/search?q=')).toMatchObject({ status: 400 });
  });

  it('refuses path traversal in every name it takes', async () => {
    for (const path of [
      '/api/datasets/..%2F..%2Fetc/v1',
      '/api/datasets/..%2F.synthforge/v1/rows',
      '/api/datasets/support-qa/..%2F..%2F..%2Fetc%2Fpasswd/rows',
      '/api/datasets/support-qa/v1/rows?split=..%2F..%2Fmanifest',
      '/api/runs/..%2F..%2Fetc',
      '/api/datasets/support-qa/diff/v1/..%2Fv2',
    ]) {
      const response = await get(path);
      expect([400, 404], path).toContain(response.status);
      expect(JSON.stringify(response.body)).not.toContain('root:');
    }
    const raw = await fetch(new URL('/../../../../etc/passwd', server.url));
    expect(raw.status).toBe(404);
  });

  it('serves its page with a strict content policy, and refuses a foreign Host (DNS rebinding)', async () => {
    const page = await fetch(server.url);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    expect((await get('/vendor/uPlot.iife.min.js')).status).toBe(200);
    expect(await statusWithHost('/api/datasets', 'attacker.example')).toBe(403);
    expect(await statusWithHost('/api/datasets', `localhost:${server.port}`)).toBe(200);
  });
});
