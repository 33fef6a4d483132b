/**
 * Crash points for the crash-recovery tests: when SYNTHFORGE_FAILPOINT names a point, the process
 * kills itself with SIGKILL the first time it reaches it, exactly as `kill -9` would. Unset (always,
 * outside tests) this is one environment read per call.
 *
 * Points: shard-recorded (a shard is in the store, not submitted), batch-created (the provider
 * created the batch, its id is not recorded yet), polling (a batch was polled once), collecting
 * (some results stored, not all), shards-collected (every shard of a generate step collected, its
 * samples not emitted yet), writing-output (half of the dataset written), repairing (half of a repair
 * round's repair requests written into its shards, the first of them recorded), shard-requeued (a batch
 * failed for a full queue and its shard is back to planned, not sent again yet), overlapping (a step
 * has written two chunks of its output and the next step, or the version write, has taken the first:
 * steps overlap, stage-tap.ts).
 */
export type Failpoint = 'shard-recorded' | 'batch-created' | 'polling' | 'collecting' | 'shards-collected' | 'writing-output' | 'repairing' | 'shard-requeued' | 'overlapping';

/** Whether this process is set to die at `point` (a caller may skip work only that point needs). */
export function failpointArmed(point: Failpoint): boolean {
  return process.env.SYNTHFORGE_FAILPOINT === point;
}

export function failpoint(point: Failpoint): void {
  if (failpointArmed(point)) process.kill(process.pid, 'SIGKILL');
}
