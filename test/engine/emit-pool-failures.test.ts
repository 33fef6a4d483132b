/**
 * How EmitPool (emit-pool.ts) fails: a worker that crashes, exits (at start-up or after) or is closed
 * with batches owed is an `EmitWorkerError` (`emit_worker`); what a worker reports about the data (a
 * malformed line, a file it cannot read) arrives as the error the calling thread would throw. The
 * workers are stand-ins (spawnWorker mocked) that do exactly the one thing each test needs.
 */
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmitPool, type EmitWorkerData } from '../../src/engine/emit-pool.js';
import { EmitWorkerError } from '../../src/engine/errors.js';
import { EXIT_CODES } from '../../src/errors.js';
import { spawnWorker } from '../../src/spawn-worker.js';

vi.mock('../../src/spawn-worker.js', () => ({ spawnWorker: vi.fn() }));

afterEach(() => {
  vi.mocked(spawnWorker).mockReset();
});

const DATA = { stateDir: '/nowhere', step: {} } as unknown as EmitWorkerData;

/** A stand-in worker's source: `start` runs first; each request is `request` (closing its port on `close`, as emit-worker.ts does). */
function script(start: string, request = ''): string {
  return `const { parentPort } = require('node:worker_threads');
${start}
parentPort.on('message', (request) => {
  if (request.type === 'close') return parentPort.close();
  if (request.type !== 'batch') return;
  ${request}
});`;
}

const READY = "parentPort.postMessage({ type: 'ready' });";

/** The pool's workers, one stand-in per script, in the order they are started; the array fills as they start. */
function workers(...scripts: string[]): Worker[] {
  const started: Worker[] = [];
  vi.mocked(spawnWorker).mockImplementation(() => started[started.push(new Worker(scripts.shift()!, { eval: true })) - 1]!);
  return started;
}

function batch(): [Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>] {
  return [new TextEncoder().encode('{"id":"a"}\n'), new TextEncoder().encode('{}\n')];
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );
}

describe('EmitPool: a worker that dies', () => {
  it('that exits during start-up fails the start with a coded error, the other worker closed', async () => {
    const started = workers(script(READY), script('process.exit(7);'));
    const error = await failureOf(EmitPool.start(2, DATA));
    expect(error).toBeInstanceOf(EmitWorkerError);
    expect(error).toMatchObject({ code: 'emit_worker', exitCode: EXIT_CODES.failed, message: 'an emit worker exited during start-up (7)' });
    // Both gone before the start rejected (a threadId of -1: exited).
    expect(started.map((worker) => worker.threadId)).toEqual([-1, -1]);
  });

  it('that crashes during start-up fails the start with a coded error whose cause is what it threw', async () => {
    workers(script("throw new RangeError('no store for you');"));
    const error = await failureOf(EmitPool.start(1, DATA));
    expect(error).toBeInstanceOf(EmitWorkerError);
    expect(error).toMatchObject({ code: 'emit_worker', message: 'an emit worker crashed during start-up: no store for you', cause: { name: 'RangeError', message: 'no store for you' } });
  });

  it('that reports it cannot open the store fails the start with that error, as it reported it', async () => {
    workers(script("parentPort.postMessage({ type: 'failed', error: { message: 'unable to open database file', code: 'SQLITE_CANTOPEN' } });"));
    const error = await failureOf(EmitPool.start(1, DATA));
    expect(error).not.toBeInstanceOf(EmitWorkerError);
    expect(error.constructor).toBe(Error);
    expect(error).toMatchObject({ message: 'unable to open database file', code: 'SQLITE_CANTOPEN' });
  });

  it('that exits fails the batch owed and every batch after with a coded error', async () => {
    workers(script(READY, 'process.exit(5);'));
    const pool = await EmitPool.start(1, DATA);
    try {
      const error = await failureOf(pool.emit(...batch()));
      expect(error).toBeInstanceOf(EmitWorkerError);
      expect(error).toMatchObject({ code: 'emit_worker', message: 'an emit worker exited (5)' });
      await expect(pool.emit(...batch())).rejects.toBe(error);
    } finally {
      await pool.close();
    }
  });

  it('that crashes fails the batch owed with a coded error whose cause is what it threw', async () => {
    workers(script(READY, "throw new RangeError('emit broke');"));
    const pool = await EmitPool.start(1, DATA);
    try {
      const error = await failureOf(pool.emit(...batch()));
      expect(error).toBeInstanceOf(EmitWorkerError);
      expect(error).toMatchObject({ code: 'emit_worker', message: 'an emit worker crashed: emit broke', cause: { name: 'RangeError', message: 'emit broke' } });
    } finally {
      await pool.close();
    }
  });

  it('closed with a batch owed fails it with a coded error', async () => {
    // Never answers a batch: the one sent is owed when the pool closes.
    workers(script(READY));
    const pool = await EmitPool.start(1, DATA);
    const owed = failureOf(pool.emit(...batch()));
    await pool.close();
    const error = await owed;
    expect(error).toBeInstanceOf(EmitWorkerError);
    expect(error).toMatchObject({ code: 'emit_worker', message: 'the emit workers were closed with batches owed' });
  });

  it('reports a malformed line and a file it cannot read as the calling thread’s errors, and answers the next batch', async () => {
    workers(
      script(
        READY,
        `const errors = [
          { name: 'SyntaxError', message: 'Unexpected end of JSON input' },
          { message: "ENOENT: no such file or directory, open '/gone.keys'", code: 'ENOENT', path: '/gone.keys', syscall: 'open' },
        ];
        const error = errors[request.id];
        if (error) return parentPort.postMessage({ type: 'error', id: request.id, error });
        parentPort.postMessage({ type: 'done', id: request.id, text: new Uint8Array(0), samples: 0, counts: { input: 1, output: 0 } });`,
      ),
    );
    const pool = await EmitPool.start(1, DATA);
    try {
      const line = await failureOf(pool.emit(...batch()));
      expect(line).toBeInstanceOf(SyntaxError);
      expect(line).not.toBeInstanceOf(EmitWorkerError);
      expect(line.message).toBe('Unexpected end of JSON input');
      const file = await failureOf(pool.emit(...batch()));
      expect(file.constructor).toBe(Error);
      expect(file).toMatchObject({ message: "ENOENT: no such file or directory, open '/gone.keys'", code: 'ENOENT', path: '/gone.keys', syscall: 'open' });
      await expect(pool.emit(...batch())).resolves.toMatchObject({ samples: 0, counts: { input: 1, output: 0 } });
    } finally {
      await pool.close();
    }
  });
});
