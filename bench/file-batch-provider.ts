// A BatchProvider for the post-processing benchmark, driven by the engine like any provider:
// submit() answers a shard at once by writing emulated result files for it (emulated-results.ts:
// the OpenAI output and error files, with the configured faults), poll() reports it ended, and
// results() streams those files through the OpenAI adapter's own line converter
// (openai-result-decoder.ts), which resultChunks()/resultDecoder hand to collect's worker threads.
// Requests are encoded with the OpenAI capabilities (the real wire format). No HTTP: what the benchmark measures is reading, parsing, validating and storing
// results (the I/O baseline reads the same files).
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { textLinesOf, wholeLineChunks } from '../src/dataset/line-chunks.js';
import type { BatchHandle, BatchItemResult, BatchProvider, BatchStatus, ShardSubmission } from '../src/providers/batch-provider.js';
import { OPENAI_CAPABILITIES } from '../src/providers/openai/openai-capabilities.js';
import { decodeResultLine, OPENAI_RESULT_DECODER } from '../src/providers/openai/openai-result-decoder.js';
import type { EmulatedResultWriter } from './emulated-results.js';

export class FileBatchProvider implements BatchProvider {
  readonly id = 'openai' as const;
  readonly capabilities = OPENAI_CAPABILITIES;
  private submitted = 0;

  /** `writer` answers submitted shards; a provider that only reads results back needs none. */
  constructor(
    private readonly resultsDir: string,
    private readonly writer?: EmulatedResultWriter,
  ) {}

  /** The files results() reads for a batch. */
  static resultFiles(resultsDir: string, batchId: string): string[] {
    return [join(resultsDir, `${batchId}.output.jsonl`), join(resultsDir, `${batchId}.errors.jsonl`)];
  }

  async submit(shard: ShardSubmission): Promise<BatchHandle> {
    if (!this.writer) throw new Error('FileBatchProvider: this instance only reads results back');
    const index = this.submitted++;
    const batchId = `batch_bench${String(index).padStart(6, '0')}`;
    await this.writer.writeShard(shard.inputPath, batchId, join(this.resultsDir, batchId));
    return { version: 1, provider: 'openai', model: shard.model, batchId, inputFileId: `file-bench${index}` };
  }

  poll(): Promise<BatchStatus> {
    return Promise.resolve({ state: 'ended', rawStatus: 'completed' });
  }

  cancel(): Promise<BatchStatus> {
    return this.poll();
  }

  readonly resultDecoder = { module: OPENAI_RESULT_DECODER };

  async *results(handle: BatchHandle): AsyncIterable<BatchItemResult> {
    // The same handling as OpenAIBatchProvider.results.
    for await (const chunk of this.resultChunks(handle)) {
      for (const line of textLinesOf(chunk)) {
        const result = decodeResultLine(line);
        if (result) yield result;
      }
    }
  }

  async *resultChunks(handle: BatchHandle): AsyncIterable<Uint8Array> {
    for (const path of FileBatchProvider.resultFiles(this.resultsDir, handle.batchId)) {
      // Cut at line ends, as the adapter cuts a downloaded body.
      if (existsSync(path)) yield* wholeLineChunks(createReadStream(path, { highWaterMark: 1 << 20 }));
    }
  }
}
