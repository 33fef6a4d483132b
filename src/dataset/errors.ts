import { SynthforgeError, UsageError } from '../errors.js';

/** A dataset, version or split that a command or `openDataset` names does not exist. */
export class DatasetNotFoundError extends UsageError {
  constructor(message: string, details: { dataset: string; version?: string; split?: string; known?: string[] }) {
    super('dataset_not_found', message, { details });
    this.name = 'DatasetNotFoundError';
  }
}

/** A version directory that cannot be read as written: no manifest, a missing or unreadable data file. */
export class DatasetCorruptError extends SynthforgeError {
  constructor(message: string, details: { dir: string; file?: string }, options: { cause?: unknown } = {}) {
    super('dataset_corrupt', message, { details, ...options });
    this.name = 'DatasetCorruptError';
  }
}

/**
 * Not one record could be turned into a row of the output format: almost always a recipe mistake
 * (a field map naming a field the records lack), so no empty version is written.
 */
export class OutputUnmappableError extends UsageError {
  constructor(message: string, details: { format: string; unmapped: number; examples: string[] }) {
    super('output_unmappable', message, { details });
    this.name = 'OutputUnmappableError';
  }
}

/** `export` asked for a conversion the stored rows cannot support (e.g. chat rows to preference pairs). */
export class ExportUnsupportedError extends UsageError {
  constructor(message: string, details: { from: string; to: string }) {
    super('export_unsupported', message, { details });
    this.name = 'ExportUnsupportedError';
  }
}

/**
 * A thread writing a version (the digest thread, a write thread, the Parquet thread or one of its
 * encode threads) crashed, exited, or was closed with work owed: a bug or the machine, not the data.
 * What a thread reports about the data (a line that is not JSON, a full disk) keeps its own error.
 * Exit 1 (failed), like `collect_worker`.
 */
export class WriteWorkerError extends SynthforgeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('write_worker', message, options);
    this.name = 'WriteWorkerError';
  }
}

/** One record (or stored row) that cannot become a row of the target format; collected, never thrown past the writer. */
export class RowMappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RowMappingError';
  }
}
