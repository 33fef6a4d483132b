/** Errors the engine throws on purpose; each is a condition a user or a provider can cause. */
import { SynthforgeError, UsageError } from '../errors.js';

/** `synthforge cancel` (or a cancel request in the store) stopped the run; what came back is kept and it can be resumed. */
export class RunCancelledError extends SynthforgeError {
  constructor(runId?: string) {
    super('run_cancelled', runId ? `run ${runId} was cancelled` : 'run cancelled', { exit: 'cancelled', ...(runId ? { details: { runId } } : {}) });
    this.name = 'RunCancelledError';
  }
}

/**
 * A shard may already have been submitted (a create failed ambiguously or the process died right
 * after it) and its provider cannot look batches up: sending it again could pay twice.
 */
export class ShardSubmissionUnknownError extends SynthforgeError {
  constructor(shardId: string, provider: string) {
    super('shard_submission_unknown', `shard ${shardId} may have been submitted, and ${provider} cannot look batches up; refusing to submit it twice`, {
      details: { shardId, provider },
    });
    this.name = 'ShardSubmissionUnknownError';
  }
}

/**
 * A provider kept refusing a shard for a full queue while nothing else of the run was in that queue:
 * the run's own work cannot make room, so another job holds the queue or the shard alone is over the
 * account's real limit. Exit 1 (failed, resumable): nothing was sent or spent.
 */
export class QueueRefusedError extends SynthforgeError {
  constructor(shardId: string, queue: string, refusals: number, lastMessage: string) {
    super(
      'queue_refused',
      `${queue} refused shard ${shardId} for a full queue ${refusals} times in a row with nothing else of this run queued (last: ${lastMessage}); ` +
        `another job may be filling the queue, or the shard alone is over your account's limit: set a lower limit for ${queue} in queue_limits ` +
        `(or SYNTHFORGE_QUEUE_LIMITS) and run with --fresh so that shards are cut smaller (cached answers are kept), or wait and run the same command again`,
      { details: { shardId, queue, refusals } },
    );
    this.name = 'QueueRefusedError';
  }
}

/** One rendered request is larger than the provider accepts in a whole batch: no sharding can send it. */
export class RequestTooLargeError extends UsageError {
  constructor(bytes: number, maxBytes: number) {
    super('request_too_large', `one request encodes to ${bytes} bytes, more than the provider's ${maxBytes}-byte batch limit; shorten the prompt or its inputs`, {
      details: { bytes, maxBytes },
    });
    this.name = 'RequestTooLargeError';
  }
}

/**
 * A step rejected a larger share of its records than the recipe's `max_error_rate` allows. The run
 * stops there, before anything more is sent: bad input, so running again unchanged stops the same way.
 */
export class ErrorRateExceededError extends UsageError {
  constructor(message: string, details: { step: string; records: number; rejected: number; maxErrorRate: number; rejectsFile: string }) {
    super('error_rate_exceeded', message, { details });
    this.name = 'ErrorRateExceededError';
  }
}

/**
 * A generate step ended with fewer valid samples than the recipe's `min_valid_rate` asks (or none at
 * all). The run fails before publishing: a version of what little came back is not a dataset. The
 * valid answers stay in the cache, so a later run pays only for the rest.
 */
export class StepOutputTooLowError extends SynthforgeError {
  constructor(message: string, details: { step: string; requested: number; valid: number; minValidRate: number }) {
    super('step_output_too_low', message, { details });
    this.name = 'StepOutputTooLowError';
  }
}

/**
 * A collected shard's answer files are gone and its provider no longer returns the batch's results
 * (deleted, or past its retention): its answers cannot be had again without asking again.
 */
export class ShardResultsUnavailableError extends SynthforgeError {
  constructor(shardId: string, provider: string, batchId: string, answersPath: string, cause: Error) {
    super(
      'shard_results_unavailable',
      `shard ${shardId}: ${answersPath} is gone and ${provider} no longer returns the results of batch ${batchId} (${cause.message}); ` +
        'run again with --fresh: answers still on disk come from the cache, the rest are asked (and paid for) again',
      { details: { shardId, provider, batchId, path: answersPath }, cause },
    );
    this.name = 'ShardResultsUnavailableError';
  }
}

/**
 * A shard that was sent lost a file its results cannot be used without, and the file cannot be
 * rebuilt from what is left (`reason` says why).
 */
export class ShardFilesLostError extends SynthforgeError {
  constructor(shardId: string, path: string, reason: string) {
    super(
      'shard_files_lost',
      `shard ${shardId}: ${path} is gone and cannot be rebuilt: ${reason}; restore the file, or run again with --fresh: ` +
        'answers still on disk come from the cache, the rest are asked (and paid for) again',
      { details: { shardId, path } },
    );
    this.name = 'ShardFilesLostError';
  }
}

/**
 * Every step ran, and the last one left no record: there is nothing to publish, and an empty version
 * would look like a dataset. The run fails instead (it can be resumed once the recipe is changed).
 */
export class RunOutputEmptyError extends SynthforgeError {
  constructor(message: string, details: { steps: { step: string; input: number; output: number }[] }) {
    super('run_output_empty', message, { details });
    this.name = 'RunOutputEmptyError';
  }
}

/** A thread judging a shard's results failed or died: a bug, not the data (bad lines are verdicts). Resumable. */
export class CollectWorkerError extends SynthforgeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('collect_worker', message, options);
    this.name = 'CollectWorkerError';
  }
}

/**
 * An emit worker crashed, exited (at start-up or after), or was closed with batches owed: a bug or the
 * machine, not the data (a malformed line or an unreadable file arrives as the calling thread's own
 * error). Exit 1 (failed), like `collect_worker`.
 */
export class EmitWorkerError extends SynthforgeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('emit_worker', message, options);
    this.name = 'EmitWorkerError';
  }
}
