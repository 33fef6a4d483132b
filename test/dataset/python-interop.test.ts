/**
 * Loads written versions with Python's `datasets` and `pyarrow`, the readers trainers use. Skipped,
 * with the reason, where those cannot be installed (see python-env.ts); the first run on a machine
 * builds a cached venv (about a minute), later runs take seconds.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDirs } from '../helpers/temp-dir.js';
import { CHAT, qaRecords, writeVersion } from './fixtures.js';
import { preparePythonEnv, type PythonEnv } from './python-env.js';

const tempDir = useTempDirs();

const SCRIPT = `
import json, sys
import pyarrow.parquet as pq
from datasets import load_dataset

result = {}
for name, path in json.loads(sys.argv[1]).items():
    ds = load_dataset(path)
    result[name] = {
        "splits": {split: len(rows) for split, rows in ds.items()},
        "features": str(ds[next(iter(ds))].features),
        "first": ds[next(iter(ds))][0],
    }
result["arrow_messages"] = str(pq.read_table(sys.argv[2]).schema.field("messages").type)
# The features a Parquet file carries for readers that find it alone (the Hub's viewer, a bare load).
from datasets import Features
stored = json.loads(pq.read_metadata(sys.argv[2]).metadata[b"huggingface"])
result["parquet_features"] = str(Features.from_dict(stored["info"]["features"]))
print(json.dumps(result))
`;

let env: PythonEnv = { ok: false, reason: 'not prepared' };

beforeAll(() => {
  env = preparePythonEnv();
  if (!env.ok) console.warn(`python interop test skipped: ${env.reason}`);
}, 600_000);

describe('Python interop (datasets, pyarrow)', () => {
  it('loads versions with load_dataset(<dir>) and reads messages as list<struct>', async (context) => {
    if (!env.ok) return context.skip(`pyarrow/datasets unavailable: ${env.reason}`);
    const root = tempDir();
    const chat = await writeVersion(root, qaRecords(60), { ...CHAT, splits: { train: 0.8, test: 0.2 }, files: ['jsonl', 'parquet'], max_rows_per_file: 20 });
    const raw = await writeVersion(root, qaRecords(15), { format: 'raw' }, { dataset: 'raw-rows' });
    const chatTrain = chat.files.find((file) => file.format === 'parquet' && file.split === 'train')!;
    const firstChatRow = JSON.parse(readFileSync(join(chat.dir, chat.files.find((file) => file.format === 'jsonl')!.path), 'utf8').split('\n')[0]!);

    const script = join(tempDir(), 'load.py');
    writeFileSync(script, SCRIPT);
    const home = tempDir();
    const result = spawnSync(env.python, [script, JSON.stringify({ chat: chat.dir, raw: raw.dir }), join(chat.dir, chatTrain.path)], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, HF_HOME: home, HF_DATASETS_OFFLINE: '1', HF_HUB_OFFLINE: '1', HF_HUB_DISABLE_TELEMETRY: '1' },
    });
    expect(result.status, result.stderr).toBe(0);
    const loaded = JSON.parse(result.stdout.trim().split('\n').at(-1)!);

    // Only the declared splits: lineage.jsonl and manifest.json are not mistaken for data.
    expect(loaded.chat.splits).toEqual(chat.splits);
    // openai-chat rows are exactly {"messages": [...]}, as OpenAI fine-tuning documents them.
    expect(loaded.chat.features).toBe("{'messages': List({'role': Value('string'), 'content': Value('string')})}");
    expect(loaded.parquet_features).toBe(loaded.chat.features);
    expect(loaded.chat.first).toEqual(firstChatRow);
    expect(loaded.arrow_messages).toBe('list<element: struct<role: string, content: string>>');

    expect(loaded.raw.splits).toEqual({ train: 15 });
    expect(loaded.raw.features).toContain("'score': Value('float64')");
    expect(loaded.raw.features).toContain("'count': Value('int64')");
    expect(loaded.raw.features).toContain("'tags': List(Value('string'))");
    expect(loaded.raw.features).toContain("'embedding': List(Value('float64'))");
    expect(loaded.raw.first).toEqual({ id: 's0-000000', ...qaRecords(1)[0]!.fields });
  }, 180_000);
});
