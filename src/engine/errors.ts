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
