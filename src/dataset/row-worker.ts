/**
 * A write thread of a RowPool (row-pool.ts): maps each batch of stage lines it is sent to rows
 * (row-batch.ts), with the output's templates compiled here from their sources. A batch with a
 * record that throws is handed back whole: the writing thread maps it again itself, so the error
 * it fails with is the one it would have thrown alone.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compileOutputTemplates } from './output-templates.js';
import { RowBatcher, recordsOfLines } from './row-batch.js';
import type { RowReply, RowRequest, RowWorkerData } from './row-pool.js';

const data = workerData as RowWorkerData;
const batcher = new RowBatcher({ ...data, templates: compileOutputTemplates(data.output)! });

parentPort!.on('message', ({ id, bytes }: RowRequest) => {
  let reply: RowReply;
  try {
    const batch = batcher.map(recordsOfLines(bytes), { encode: true });
    reply = { type: 'done', id, batch };
    const { texts, textEnds, lineage, lineageEnds } = batch.encoded!;
    parentPort!.postMessage(reply, [batch.unmapped.buffer, batch.splits.buffer, batch.units.buffer, texts.buffer, textEnds.buffer, lineage.buffer, lineageEnds.buffer]);
  } catch {
    reply = { type: 'failed', id, bytes };
    parentPort!.postMessage(reply, [bytes.buffer]);
  }
});
