import { rm } from 'node:fs/promises';
import type { EmulatorContext } from './emulator-context.js';
import { addFaultTally, type FaultTally } from './emulator-stats.js';

type RecordFolder = Parameters<EmulatorContext['save']>[0];

/**
 * Ends a batch exactly once, however many reads ask for its results at the same time: write the
 * final output, persist the record, drop the staged answers, count the faults it carried.
 */
export async function finishBatchOnce(
  context: EmulatorContext,
  record: { id: string; final?: { faults?: Partial<FaultTally> } | null | undefined },
  options: { folder: RecordFolder; stagedPath: string; write: () => Promise<void> },
): Promise<void> {
  if (record.final) return;
  let pending = context.finishing.get(record.id);
  if (!pending) {
    pending = (async () => {
      await options.write();
      await context.save(options.folder, record);
      await rm(options.stagedPath, { force: true });
      addFaultTally(context.stats.faultsInjected, record.final?.faults ?? {});
    })().finally(() => context.finishing.delete(record.id));
    context.finishing.set(record.id, pending);
  }
  await pending;
}
