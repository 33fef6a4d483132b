import { SynthforgeError, UsageError } from '../errors.js';

/** The identity of a signature's hash family: signatures are comparable only when all three match. */
export interface SignatureIdentity {
  signatureVersion: number;
  seed: number;
  numPerm: number;
}

/** Two MinHash signatures from different hash families were compared; their slots are unrelated. */
export class SignatureMismatchError extends SynthforgeError {
  constructor(left: SignatureIdentity, right: SignatureIdentity) {
    const differences: string[] = [];
    if (left.signatureVersion !== right.signatureVersion) {
      differences.push(`signatureVersion ${left.signatureVersion} vs ${right.signatureVersion}`);
    }
    if (left.seed !== right.seed) differences.push(`seed ${left.seed} vs ${right.seed}`);
    if (left.numPerm !== right.numPerm) differences.push(`numPerm ${left.numPerm} vs ${right.numPerm}`);
    super(
      'dedup_signature_mismatch',
      `cannot compare MinHash signatures: ${differences.join(', ')}. Signatures are comparable only when ` +
        'made with the same version, seed and numPerm; recompute the older ones with the current parameters.',
      { details: { left: { ...left }, right: { ...right } } },
    );
    this.name = 'SignatureMismatchError';
  }
}

/** A dedup step names a field that a record does not have. */
export class DedupFieldMissingError extends UsageError {
  constructor(path: string, recordId?: string) {
    super(
      'dedup_field_missing',
      `dedup field "${path}" is missing${recordId === undefined ? '' : ` in record ${recordId}`}; ` +
        'every record must have each field listed under dedup.fields (null counts as present)',
      { details: recordId === undefined ? { path } : { path, recordId } },
    );
    this.name = 'DedupFieldMissingError';
  }
}

/** Bands and rows that cannot work with the signature size. */
export class LshParamsError extends UsageError {
  constructor(message: string, details: Record<string, unknown>) {
    super('dedup_lsh_params', message, { details });
    this.name = 'LshParamsError';
  }
}

/** A signature worker died or reported an error; the stream stops rather than guess. */
export class DedupWorkerError extends SynthforgeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('dedup_worker', message, options);
    this.name = 'DedupWorkerError';
  }
}

/** What is wrong with a record's vector for semantic dedup. */
export type DedupVectorProblem = 'missing' | 'not-a-vector' | 'not-finite' | 'dimension' | 'zero';

/** A record's vector cannot be compared by cosine: missing, not a list of numbers, the wrong length, or all zeros. */
export class DedupVectorError extends UsageError {
  constructor(problem: DedupVectorProblem, message: string, details: { recordId?: string; field: string } & Record<string, unknown>) {
    const where = details.recordId === undefined ? '' : ` of record ${details.recordId}`;
    super('dedup_vector_invalid', `semantic dedup: field "${details.field}"${where} ${message}`, { details: { problem, ...details } });
    this.name = 'DedupVectorError';
  }
}
