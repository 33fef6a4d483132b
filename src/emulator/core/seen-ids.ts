/**
 * How many times this server has run each request (by its line identity, line-identity.ts; and each batch, by the list of them). Fault decisions
 * take that count as the attempt number, so a line that failed can succeed when resubmitted.
 *
 * Persisted as an append-only log, one write per batch, lines `batchId \t B \t batchKey` and
 * `batchId \t C \t identity \t custom_id`. On start the log is
 * replayed; a batch whose results were not finished before a restart gets the same attempt numbers it had,
 * because the replay records the counts as they stood just before that batch.
 */
import { createReadStream } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';

interface PendingAttempts {
  ids: Map<string, number>;
  batchKey: number;
}

export interface Attempts {
  /** Attempt number per custom_id, in the order given. */
  ids: number[];
  batchKey: number;
}

export class SeenIds {
  private readonly idCounts = new Map<string, number>();
  /** Custom_ids run, for the statistics only: attempts are counted by line identity. */
  private readonly customIds = new Set<string>();
  private readonly batchKeyCounts = new Map<string, number>();
  private readonly pending = new Map<string, PendingAttempts>();

  private constructor(private readonly logPath: string) {}

  /** Replays the log; `unfinished` are batches whose jobs will run again and must get their old attempts. */
  static async load(logPath: string, unfinished: ReadonlySet<string>): Promise<SeenIds> {
    const seen = new SeenIds(logPath);
    let lines: AsyncIterable<string>;
    try {
      const stream = createReadStream(logPath, 'utf8');
      await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));
      lines = createInterface({ input: stream, crlfDelay: Infinity });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return seen;
      throw error;
    }
    for await (const line of lines) {
      const [batchId, kind, key, customId] = line.split('\t');
      if (batchId === undefined || key === undefined) continue;
      if (customId !== undefined) seen.customIds.add(customId);
      const counts = kind === 'B' ? seen.batchKeyCounts : seen.idCounts;
      const before = counts.get(key) ?? 0;
      counts.set(key, before + 1);
      if (unfinished.has(batchId)) {
        const pending = seen.pending.get(batchId) ?? { ids: new Map<string, number>(), batchKey: 0 };
        if (kind === 'B') pending.batchKey = before;
        else pending.ids.set(key, before);
        seen.pending.set(batchId, pending);
      }
    }
    return seen;
  }

  get distinctCustomIds(): number {
    return this.customIds.size;
  }

  /**
   * Attempt numbers for a batch's lines (`identities`, line-identity.ts; runs before this batch),
   * recording this batch as seen. `customIds` are the same lines' ids, counted for the statistics.
   */
  async assign(batchId: string, identities: readonly string[], batchKey: string, customIds: readonly string[]): Promise<Attempts> {
    const pending = this.pending.get(batchId);
    if (pending) {
      this.pending.delete(batchId);
      return { ids: identities.map((id) => pending.ids.get(JSON.stringify(id)) ?? 0), batchKey: pending.batchKey };
    }
    for (const id of customIds) this.customIds.add(JSON.stringify(id));
    const ids = identities.map((id) => {
      const key = JSON.stringify(id);
      const before = this.idCounts.get(key) ?? 0;
      this.idCounts.set(key, before + 1);
      return before;
    });
    const batchBefore = this.batchKeyCounts.get(batchKey) ?? 0;
    this.batchKeyCounts.set(batchKey, batchBefore + 1);
    const log = [`${batchId}\tB\t${batchKey}`, ...identities.map((id, index) => `${batchId}\tC\t${JSON.stringify(id)}\t${JSON.stringify(customIds[index])}`)];
    await appendFile(this.logPath, `${log.join('\n')}\n`);
    return { ids, batchKey: batchBefore };
  }
}
