import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SynthforgeError } from '../../src/errors.js';
import { StoreVersionError } from '../../src/store/errors.js';
import { RunStore } from '../../src/store/run-store.js';
import {
  ROUND_STATUSES,
  RUN_STATUSES,
  SHARD_KINDS,
  SHARD_STATUSES,
  STEP_KINDS,
  STEP_STATUSES,
  STORE_SCHEMA_VERSION,
  type RunStatus,
  type StepStatus,
} from '../../src/store/store-schema.js';
import { cacheKey } from '../../src/store/response-cache.js';
import { responsesTable } from '../../src/store/response-tiers.js';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

const RUN = { id: 'run-1', recipeName: 'r', recipePath: '/r.yaml', recipeHash: 'h', options: {} };
const SHARD = {
  id: 'run-1-s0-0000',
  runId: 'run-1',
  stepIndex: 0,
  round: 0,
  provider: 'openai',
  model: 'gpt-4o-mini',
  endpoint: '',
  kind: 'chat' as const,
  inputPath: '/shard.jsonl',
  inputHash: 'abc',
  requestCount: 1,
  bytes: 10,
};

/** A store with one run, one step, one round and one shard in it, closed again. */
function seededStateDir(): string {
  const dir = tempDir();
  const store = new RunStore(dir);
  store.createRun(RUN);
  store.saveStep(RUN.id, 0, 'question', 'generate', 'running');
  store.insertShard(SHARD);
  store.saveRound(RUN.id, 0, 0, 'planning');
  store.close();
  return dir;
}

/** A second, raw connection to the store file: what the DDL itself allows, whatever RunStore does. */
function raw(dir: string): Database.Database {
  const db = new Database(join(dir, 'synthforge.db'));
  db.pragma('foreign_keys = ON');
  return db;
}

function writeRawDb(dir: string, sql: string): void {
  const db = new Database(join(dir, 'synthforge.db'));
  db.exec(sql);
  db.close();
}

function refusal(dir: string): StoreVersionError {
  try {
    new RunStore(dir).close();
  } catch (error) {
    return error as StoreVersionError;
  }
  throw new Error('the store opened');
}

describe('RunStore schema version', () => {
  it('writes the current version into a new store and opens it again', () => {
    const dir = seededStateDir();
    const db = raw(dir);
    expect(db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get()).toEqual({ value: String(STORE_SCHEMA_VERSION) });
    db.close();
    expect(STORE_SCHEMA_VERSION).toBe(5);
    const store = new RunStore(dir);
    expect(store.getRun(RUN.id)?.status).toBe('running');
    store.close();
  });

  /**
   * A store as a version 3 or 4 program left it: `answers` in the one table version 3 had
   * (`responses`), `fresh` in version 4's `responses_fresh` (its newer rows).
   */
  function olderStore(version: 3 | 4, answers: Record<string, number>, fresh: Record<string, number> = {}): { dir: string; seq: number } {
    const dir = seededStateDir();
    const seq = (() => {
      const store = new RunStore(dir);
      const shardSeq = store.getShard(SHARD.id)!.seq;
      store.close();
      return shardSeq;
    })();
    const db = raw(dir);
    db.exec(`DROP TABLE response_tiers; ${responsesTable('responses')}`);
    const insert = (table: string, key: string, offset: number): unknown =>
      db.prepare(`INSERT INTO ${table} VALUES (?, ?, ?, 9, 1, 1, ?, 0)`).run(cacheKey(key), seq, offset, offset);
    for (const [key, offset] of Object.entries(answers)) insert('responses', key, offset);
    for (const [key, offset] of Object.entries(fresh)) insert('responses_fresh', key, offset);
    if (version === 3) db.exec('DROP TABLE responses_fresh');
    db.prepare(`UPDATE meta SET value = ? WHERE key = 'schema_version'`).run(String(version));
    db.close();
    return { dir, seq };
  }

  it('migrates a version 3 store in place: its one table becomes a tier, its answers still served', () => {
    const { dir, seq } = olderStore(3, { ['ab'.repeat(32)]: 3, ['ef'.repeat(32)]: 4 });
    const store = new RunStore(dir);
    expect(store.responses.get('ab'.repeat(32))).toMatchObject({ shardSeq: seq, offset: 3, bytes: 9 });
    store.responses.put('cd'.repeat(32), { shardSeq: seq, offset: 20, bytes: 5, attempt: 1, usage: { inputTokens: 1, outputTokens: 2, cachedInputTokens: 0 } });
    expect(store.responses.getMany(['ab', 'cd', 'ef', '01'].map((digits) => digits.repeat(32))).size).toBe(3);
    store.close();
    const after = raw(dir);
    expect(after.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get()).toEqual({ value: '5' });
    expect(after.prepare('SELECT count(*) FROM responses_fresh').pluck().get()).toBe(1);
    expect(after.prepare('SELECT id, level, rows FROM response_tiers').all()).toEqual([{ id: 1, level: 0, rows: 2 }]);
    expect(after.prepare('SELECT count(*) FROM responses_tier_1').pluck().get()).toBe(2);
    expect(after.prepare(`SELECT name FROM sqlite_master WHERE name = 'responses'`).get()).toBeUndefined();
    after.close();
  });

  it('migrates a version 4 store in place: a key in both tables keeps its fresh row only, served and counted once', () => {
    const { dir, seq } = olderStore(4, { ['ab'.repeat(32)]: 3, ['ef'.repeat(32)]: 4 }, { ['ab'.repeat(32)]: 30, ['cd'.repeat(32)]: 5 });
    const store = new RunStore(dir);
    expect(store.responses.get('ab'.repeat(32))).toMatchObject({ shardSeq: seq, offset: 30 });
    expect([...store.responses.getMany(['ab', 'cd', 'ef'].map((digits) => digits.repeat(32))).values()].map((answer) => answer.offset).sort()).toEqual([30, 4, 5]);
    const [stats] = store.answerTokenStats(RUN.recipeName);
    expect(stats).toMatchObject({ answers: 3, outputTokens: 30 + 4 + 5 });
    store.close();
    const after = raw(dir);
    expect(after.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get()).toEqual({ value: '5' });
    expect(after.prepare('SELECT count(*) FROM responses_fresh').pluck().get()).toBe(2);
    expect(after.prepare('SELECT count(*) FROM responses_tier_1').pluck().get()).toBe(1);
    after.close();
  });

  it('migrates a version 4 store whose large table is empty: the table goes, no tier is made', () => {
    const { dir } = olderStore(4, {}, { ['cd'.repeat(32)]: 5 });
    new RunStore(dir).close();
    const after = raw(dir);
    expect(after.prepare('SELECT count(*) FROM response_tiers').pluck().get()).toBe(0);
    expect(after.prepare(`SELECT name FROM sqlite_master WHERE name = 'responses'`).get()).toBeUndefined();
    after.close();
    const store = new RunStore(dir);
    expect(store.responses.get('cd'.repeat(32))).toMatchObject({ offset: 5 });
    store.close();
  });

  it('treats an empty file as a new store', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'synthforge.db'), '');
    const store = new RunStore(dir);
    store.createRun(RUN);
    expect(store.listRuns()).toHaveLength(1);
    store.close();
  });

  it.each([1, 2, 6, 99])('refuses a store of schema version %i, leaving it as it was', (version) => {
    const dir = tempDir();
    writeRawDb(dir, `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '${version}');
      CREATE TABLE runs (id TEXT PRIMARY KEY, status TEXT NOT NULL);`);
    const error = refusal(dir);
    expect(error).toBeInstanceOf(StoreVersionError);
    expect(SynthforgeError.isInstance(error)).toBe(true);
    expect(error.code).toBe('store_version_unsupported');
    expect(error.exitCode).toBe(2);
    expect(error.details).toEqual({ file: join(dir, 'synthforge.db'), foundVersion: version, supportedVersion: STORE_SCHEMA_VERSION });
    expect(error.message).toContain(join(dir, 'synthforge.db'));
    expect(error.message).toContain(`version ${version}`);
    expect(error.message).toContain(`version ${STORE_SCHEMA_VERSION}`);
    expect(error.message).toContain('--state');
    expect(error.message).toContain('delete');
    const db = raw(dir);
    expect(db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get()).toEqual({ value: String(version) });
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'shards'`).get()).toBeUndefined();
    db.close();
  });

  it('refuses an SQLite file of another program (tables, no schema version)', () => {
    const dir = tempDir();
    writeRawDb(dir, 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);');
    const error = refusal(dir);
    expect(error).toBeInstanceOf(StoreVersionError);
    expect(error.details.foundVersion).toBeNull();
    expect(error.message).toContain('is not a synthforge store');
  });

  it('refuses a meta table without a schema version', () => {
    const dir = tempDir();
    writeRawDb(dir, `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('owner', 'someone');`);
    expect(refusal(dir).code).toBe('store_version_unsupported');
  });

  it('refuses a file that is not a database at all', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'synthforge.db'), 'these are not the pages you are looking for\n'.repeat(200));
    const error = refusal(dir);
    expect(error).toBeInstanceOf(StoreVersionError);
    expect(error.details.foundVersion).toBeNull();
    expect(readFileSync(join(dir, 'synthforge.db'), 'utf8')).toMatch(/^these are not/);
  });

  it('the CLI exits 2 with the message on a store of another version', async () => {
    const dir = tempDir();
    writeRawDb(dir, `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '1');`);
    const result = await runCli(['status', '--state', dir], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('schema version 1');
    expect(result.stderr).toContain('--state');
  });
});

describe('RunStore CHECK constraints', () => {
  // Every listed value is accepted and one outside the list is refused: the DDL admits exactly the union.
  const columns: { column: string; values: readonly string[]; insert: (db: Database.Database, value: string, n: number) => void }[] = [
    {
      column: 'runs.status',
      values: RUN_STATUSES,
      insert: (db, value, n) =>
        db.prepare(`INSERT INTO runs (id, recipe_name, recipe_path, recipe_hash, status, created_at, updated_at, options) VALUES (?, 'r', 'p', 'h', ?, 0, 0, '{}')`).run(`run-x${n}`, value),
    },
    {
      column: 'steps.kind',
      values: STEP_KINDS,
      insert: (db, value, n) => db.prepare(`INSERT INTO steps (run_id, step_index, name, kind, status) VALUES ('run-1', ?, 's', ?, 'running')`).run(100 + n, value),
    },
    {
      column: 'steps.status',
      values: STEP_STATUSES,
      insert: (db, value, n) => db.prepare(`INSERT INTO steps (run_id, step_index, name, kind, status) VALUES ('run-1', ?, 's', 'generate', ?)`).run(200 + n, value),
    },
    {
      column: 'rounds.status',
      values: ROUND_STATUSES,
      insert: (db, value, n) => db.prepare(`INSERT INTO rounds (run_id, step_index, round, status) VALUES ('run-1', 0, ?, ?)`).run(100 + n, value),
    },
    {
      column: 'shards.status',
      values: SHARD_STATUSES,
      insert: (db, value, n) => insertRawShard(db, `shard-status-${n}`, 'chat', value),
    },
    {
      column: 'shards.kind',
      values: SHARD_KINDS,
      insert: (db, value, n) => insertRawShard(db, `shard-kind-${n}`, value, 'planned'),
    },
  ];

  it.each(columns)('$column admits exactly its listed values', ({ values, insert }) => {
    const dir = seededStateDir();
    const db = raw(dir);
    values.forEach((value, n) => insert(db, value, n));
    expect(() => insert(db, 'bogus', values.length)).toThrow(/CHECK constraint failed/);
    expect(() => insert(db, values[0]!.toUpperCase(), values.length + 1)).toThrow(/CHECK constraint failed/);
    db.close();
  });

  it('a round without counts yet is allowed (NULL passes the check), and a second save keeps the counts', () => {
    const store = new RunStore(seededStateDir());
    expect(store.getRound(RUN.id, 0, 0)).toEqual({ round: 0, status: 'planning' });
    store.saveRound(RUN.id, 0, 0, 'planned', { toSend: 1 });
    store.saveRound(RUN.id, 0, 0, 'planned');
    expect(store.getRound(RUN.id, 0, 0)).toEqual({ round: 0, status: 'planned', counts: { toSend: 1 } });
    expect(store.getRound(RUN.id, 0, 1)).toBeUndefined();
    store.close();
  });

  it('RunStore methods refuse a status outside the union (cast past the type)', () => {
    const store = new RunStore(seededStateDir());
    expect(() => store.setRunStatus(RUN.id, 'paused' as RunStatus)).toThrow(/CHECK constraint failed/);
    expect(() => store.saveStep(RUN.id, 0, 'question', 'generate', 'skipped' as StepStatus)).toThrow(/CHECK constraint failed/);
    expect(store.getRun(RUN.id)?.status).toBe('running');
    expect(store.getSteps(RUN.id)[0]?.status).toBe('running');
    store.close();
  });
});

function insertRawShard(db: Database.Database, id: string, kind: string, status: string): void {
  db.prepare(
    `INSERT INTO shards (id, run_id, step_index, round, provider, model, endpoint, kind, input_path, input_hash, request_count, bytes, status, created_at)
     VALUES (?, 'run-1', 0, 0, 'p', 'm', '', ?, 'i', 'h', 1, 1, ?, 0)`,
  ).run(id, kind, status);
}

describe('RunStore foreign keys', () => {
  it('refuses steps, rounds and shards of a run that does not exist', () => {
    const store = new RunStore(seededStateDir());
    expect(() => store.saveStep('no-such-run', 0, 'question', 'generate', 'running')).toThrow(/FOREIGN KEY constraint failed/);
    expect(() => store.saveRound('no-such-run', 0, 0, 'planning')).toThrow(/FOREIGN KEY constraint failed/);
    expect(() => store.insertShard({ ...SHARD, id: 'orphan-shard', runId: 'no-such-run' })).toThrow(/FOREIGN KEY constraint failed/);
    expect(store.shardsOfRun('no-such-run')).toEqual([]);
    store.close();
  });

  it('numbers shards in the order they are recorded and keeps their outcome bytes apart from the row', () => {
    const store = new RunStore(seededStateDir());
    const seq = store.insertShard({ ...SHARD, id: 'run-1-s0-0001', requestCount: 3 });
    expect(seq).toBe(store.getShard(SHARD.id)!.seq + 1);
    expect(store.shardBySeq(seq)?.id).toBe('run-1-s0-0001');
    expect(store.shardOutcomes('run-1-s0-0001')).toBeUndefined();
    store.markShardCollected('run-1-s0-0001', new Uint8Array([0x80, 3, 0x88]));
    expect(store.shardOutcomes('run-1-s0-0001')).toEqual(new Uint8Array([0x80, 3, 0x88]));
    expect(store.getShard('run-1-s0-0001')).toMatchObject({ status: 'collected', seq });
    expect(Object.keys(store.getShard('run-1-s0-0001')!)).not.toContain('outcomes');
    expect(() => store.insertShard({ ...SHARD })).toThrow(/UNIQUE constraint failed/);
    store.close();
  });

  it('refuses a ledger entry of an unknown run or shard', () => {
    const store = new RunStore(seededStateDir());
    const entry = { runId: RUN.id, stepIndex: 0, shardId: SHARD.id, provider: 'openai', model: 'gpt-4o-mini', requests: 1, inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 };
    expect(() => store.addLedgerEntry({ ...entry, runId: 'no-such-run' })).toThrow(/FOREIGN KEY constraint failed/);
    expect(() => store.addLedgerEntry({ ...entry, shardId: 'no-such-shard' })).toThrow(/FOREIGN KEY constraint failed/);
    store.addLedgerEntry(entry);
    expect(store.ledgerTotals(RUN.id).requests).toBe(1);
    store.close();
  });

  it('the DDL itself refuses an orphan row (raw connection with foreign keys on)', () => {
    const db = raw(seededStateDir());
    expect(() => db.prepare(`INSERT INTO steps (run_id, step_index, name, kind, status) VALUES ('ghost', 0, 's', 'generate', 'running')`).run()).toThrow(
      /FOREIGN KEY constraint failed/,
    );
    db.close();
  });
});

describe('RunStore.sizeBytes', () => {
  it('is the page count times the page size, and grows with the data', () => {
    const dir = seededStateDir();
    const store = new RunStore(dir);
    const before = store.sizeBytes();
    const db = raw(dir);
    const pageSize = Number(db.pragma('page_size', { simple: true }));
    db.close();
    expect(before).toBeGreaterThan(0);
    expect(before % pageSize).toBe(0);
    store.transaction(() => {
      for (let n = 0; n < 2_000; n++) store.insertShard({ ...SHARD, id: `bulk-${n}-${'x'.repeat(40)}` });
    });
    expect(store.sizeBytes()).toBeGreaterThan(before);
    store.close();
  });
});
