import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { DataRecord } from '../domain.js';
import { compileFilter } from '../filters/compile-filter.js';
import { FilterTally } from '../filters/filter-tally.js';
import type { FilterStep } from '../recipe/recipe.js';
import { readRecords, writeRecords } from './stage-files.js';
import type { StepCounts } from './run-report.js';

/** A filter step: keeps records every rule accepts; each removed record is counted by its rule. */
export async function runFilterStep(step: FilterStep, inputPath: string, outputPath: string, rejects?: RejectSink): Promise<StepCounts> {
  const filter = compileFilter(step.spec);
  const tally = new FilterTally(filter.rules);
  const counts: StepCounts = { input: 0, output: 0 };
  async function* kept(): AsyncIterable<DataRecord> {
    for await (const record of readRecords(inputPath)) {
      counts.input++;
      const verdict = filter.test(record.fields);
      tally.count(verdict);
      if (verdict.keep) {
        counts.output++;
        yield record;
      } else {
        await rejects?.write(record, step.name, `${verdict.rule}: ${verdict.detail}`);
      }
    }
  }
  await writeRecords(outputPath, kept());
  counts.filtered = tally.toJSON();
  return counts;
}

/** `--keep-rejects`: removed records with the step and reason that removed them, as JSONL. */
export class RejectSink {
  private readonly stream;

  constructor(path: string) {
    this.stream = createWriteStream(path, { flags: 'a' });
  }

  async write(record: DataRecord, step: string, reason: string): Promise<void> {
    const line = `${JSON.stringify({ id: record.id, step, reason, fields: record.fields })}\n`;
    if (!this.stream.write(line)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
  }
}
