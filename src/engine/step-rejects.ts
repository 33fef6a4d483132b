/**
 * The rejects file of one step: records the step could not process (kind `error`: a field it needs
 * is missing, a template fails for the record), and, with `--keep-rejects`, the records it removed
 * on purpose (`duplicate`, `filtered`), and always the records a decontaminate step removed
 * (`contaminated`, with `match: { eval_item, ngram }`: the evidence a reviewer needs, and few). One
 * JSON object per line:
 *
 *   { id, source, step, kind, reason, match?, fields }
 *
 * `source` is where the record was read (`seeds/x.jsonl:57`), the name a person can look up.
 *
 * Each step writes its own file beside the stage it read, under a temp name renamed when the step
 * completes, so a step that is run again after a crash starts its file over instead of appending
 * the same records twice. The run joins the files of every step, in step order, into the version's
 * `rejects.jsonl`.
 */
import { createReadStream, createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { DataRecord } from '../domain.js';

export type RejectKind = 'error' | 'duplicate' | 'filtered' | 'contaminated';

/** `seeds/x.jsonl:57: reason`: how a rejected record is shown in counts and messages. */
export function rejectionExample(record: DataRecord, reason: string): string {
  return `${record.source ?? record.id}: ${reason}`;
}

export class StepRejects {
  private stream: WriteStream | undefined;

  constructor(
    private readonly path: string,
    private readonly options: { keepRemoved: boolean } = { keepRemoved: false },
  ) {}

  /** Whether removed records are written (`--keep-rejects`): a step need not build one that is not. */
  get keepsRemoved(): boolean {
    return this.options.keepRemoved;
  }

  /** A record the step could not process: always written. */
  async error(record: DataRecord, step: string, reason: string): Promise<void> {
    await this.write(record, step, 'error', reason);
  }

  /** A record the step removed on purpose: written only with `--keep-rejects`. */
  async removed(record: DataRecord, step: string, kind: Exclude<RejectKind, 'error' | 'contaminated'>, reason: string): Promise<void> {
    if (this.options.keepRemoved) await this.write(record, step, kind, reason);
  }

  /** A record that overlaps an evaluation set: always written, with what it matched. */
  async contaminated(record: DataRecord, step: string, match: { eval_item: string; ngram: string }): Promise<void> {
    await this.write(record, step, 'contaminated', `contaminated: shares "${match.ngram}" with ${match.eval_item}`, match);
  }

  /** Puts the file in place; with nothing written, removes one an earlier attempt of the step left. */
  async commit(): Promise<void> {
    if (this.stream === undefined) {
      await rm(this.path, { force: true });
      return;
    }
    this.stream.end();
    await once(this.stream, 'finish');
    await rename(`${this.path}.partial`, this.path);
  }

  abort(): void {
    this.stream?.destroy();
  }

  private async write(record: DataRecord, step: string, kind: RejectKind, reason: string, match?: object): Promise<void> {
    this.stream ??= createWriteStream(`${this.path}.partial`, { encoding: 'utf8' });
    const line = JSON.stringify({ id: record.id, ...(record.source ? { source: record.source } : {}), step, kind, reason, ...(match ? { match } : {}), fields: record.fields });
    if (!this.stream.write(`${line}\n`)) await once(this.stream, 'drain');
  }
}

/** Joins the rejects files that exist, in the order given, into `target`; false when there were none. */
export async function joinRejectFiles(paths: readonly string[], target: string): Promise<boolean> {
  const present = paths.filter((path) => existsSync(path));
  await rm(target, { force: true });
  if (present.length === 0) return false;
  const output = createWriteStream(`${target}.partial`);
  for (const path of present) await pipeline(createReadStream(path), output, { end: false });
  output.end();
  await once(output, 'finish');
  await rename(`${target}.partial`, target);
  return true;
}
