import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { WorkerPool } from '../src/worker-pool.js';

/** Echoes `{ id, value }` back as `{ id, value }`; `fail` answers an error, `exit` ends the thread, `bye` ends it after a last reply. */
const ECHO = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (message) => {
  if (message === 'bye') { parentPort.postMessage({ id: -1, value: 'closed' }); process.exit(0); }
  if (message.value === 'exit') process.exit(3);
  parentPort.postMessage(message.value === 'fail' ? { id: message.id, error: 'refused ' + message.id } : { id: message.id, value: message.value });
});`;

type Reply = { id: number; value: string } | { id: number; error: string };

function echoPool(size: number, fatal: boolean): WorkerPool<{ id: number; value: string }, Reply, string> {
  const workers = Array.from({ length: size }, () => new Worker(ECHO, { eval: true }));
  return new WorkerPool(workers, {
    settle: (reply) => ('error' in reply ? { error: new Error(reply.error), fatal } : { value: reply.value }),
    crashed: (error) => error,
    exited: (code) => new Error(`exited (${code})`),
  });
}

describe('WorkerPool', () => {
  it('answers each request by its id, whichever thread took it', async () => {
    const pool = echoPool(3, false);
    const values = Array.from({ length: 12 }, (_, index) => `v${index}`);
    expect(await Promise.all(values.map((value) => pool.request((id) => ({ id, value }))))).toEqual(values);
    await pool.close(new Error('closed'));
  });

  it('a non-fatal failed reply rejects its own request only; a fatal one fails the pool, later requests too', async () => {
    const lenient = echoPool(1, false);
    await expect(lenient.request((id) => ({ id, value: 'fail' }))).rejects.toThrow('refused 0');
    expect(await lenient.request((id) => ({ id, value: 'after' }))).toBe('after');
    await lenient.close(new Error('closed'));
    const strict = echoPool(1, true);
    await expect(strict.request((id) => ({ id, value: 'fail' }))).rejects.toThrow('refused 0');
    await expect(strict.request((id) => ({ id, value: 'after' }))).rejects.toThrow('refused 0');
    await strict.close(new Error('closed'));
  });

  it('a thread that exits fails everything owed and after; close fails what is owed and ends the threads', async () => {
    const pool = echoPool(1, false);
    await expect(pool.request((id) => ({ id, value: 'exit' }))).rejects.toThrow('exited (3)');
    await expect(pool.request((id) => ({ id, value: 'x' }))).rejects.toThrow('exited (3)');
    await pool.close(new Error('closed'));
    const closing = echoPool(2, false);
    await closing.close(new Error('closed with requests owed'), 'bye');
    expect(process.getActiveResourcesInfo().filter((kind) => kind === 'Worker')).toEqual([]);
    await expect(closing.request((id) => ({ id, value: 'late' }))).rejects.toThrow('closed with requests owed');
  });
});
