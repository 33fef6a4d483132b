/**
 * Worker-thread entry of emit-pool.ts: emits batches of a generate or embed step's input records
 * (sample-emitter.ts), from their lines' bytes and their keys lines' bytes, with the run's answers
 * the calling thread read (shared) and a read-only connection of its own to the run's store.
 *
 * Protocol: workerData = EmitWorkerData; the worker posts { type: 'ready' } once it has opened the
 * store (or { type: 'failed', error }); it is sent the run's answers, then batches, each answered
 * with an EmitReply.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { chunkLines, decodeLine, lastLine, type LineCarry } from '../dataset/read-file-lines.js';
import { RunStore } from '../store/run-store.js';
import { RunAnswers } from './run-answers.js';
import type { EmitReply, EmitRequest, EmitWorkerData, EmitWorkerStart } from './emit-pool.js';
import { workerErrorOf } from './worker-error.js';
import type { StepCounts } from './run-report.js';
import { inputRecordOf, SampleEmitter, type KeyedRecord } from './sample-emitter.js';
import type { PlannedKeys } from './stage-files.js';

/** Records emitted together, as the calling thread batches them (one cache lookup per batch). */
const BATCH_RECORDS = 256;

const port = parentPort;
if (port === null) throw new Error('emit-worker.ts runs only as a worker thread');
const data = workerData as EmitWorkerData;
const encoder = new TextEncoder();

let store: RunStore | undefined;
try {
  store = new RunStore(data.stateDir, { readOnly: true });
  port.postMessage({ type: 'ready' } satisfies EmitWorkerStart);
} catch (error) {
  port.postMessage({ type: 'failed', error: workerErrorOf(error) } satisfies EmitWorkerStart);
}

/** Made from the first message; a failure to (the step's repairs unreadable) fails each batch, as it would the calling thread's pass. */
let emitter: SampleEmitter | Error | undefined;

port.on('message', (request: EmitRequest) => {
  if (request.type === 'close') {
    if (emitter instanceof SampleEmitter) emitter.close();
    store?.close();
    port.close();
    return;
  }
  if (request.type === 'answers') {
    try {
      emitter = SampleEmitter.withAnswers(store!, data.step, RunAnswers.fromShared(request.answers), { byPosition: true });
    } catch (error) {
      emitter = error as Error;
    }
    return;
  }
  try {
    if (!(emitter instanceof SampleEmitter)) throw emitter ?? new Error('an emit worker was sent a batch before the run’s answers');
    const reply = emitBatch(emitter, request);
    port.postMessage(reply, [reply.text.buffer]);
  } catch (error) {
    port.postMessage({ type: 'error', id: request.id, error: workerErrorOf(error) } satisfies EmitReply);
  }
});

/** The records in order, read and keyed as the calling thread's loop does (emit-samples.ts), in batches of the same size. */
function emitBatch(samples: SampleEmitter, { id, input, keys }: EmitRequest & { type: 'batch' }): EmitReply & { type: 'done' } {
  const records = linesOf(input);
  const planned = linesOf(keys);
  const counts: StepCounts = { input: 0, output: 0 };
  const lines: string[] = [];
  let next = 0;
  let batch: KeyedRecord[] = [];
  for (const line of records) {
    if (line === '') continue;
    const record = inputRecordOf(line);
    batch.push({ input: record, keys: JSON.parse(planned[next++]!) as PlannedKeys });
    if (batch.length < BATCH_RECORDS) continue;
    for (const sample of samples.emit(batch, counts)) lines.push(sample);
    batch = [];
  }
  for (const sample of samples.emit(batch, counts)) lines.push(sample);
  // Each line with its newline: the calling thread writes the batch to the stage file and its tap as it is (stage-files.ts, LineChunk).
  const text = encoder.encode(lines.length === 0 ? '' : `${lines.join('\n')}\n`) as Uint8Array<ArrayBuffer>;
  return { type: 'done', id, text, samples: lines.length, counts, ...(samples.repairs ? { repairs: samples.repairs.take() } : {}) };
}

function linesOf(bytes: Uint8Array): string[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const carry: LineCarry = {};
  return [...chunkLines(buffer, carry, decodeLine), ...lastLine(carry, decodeLine)];
}
