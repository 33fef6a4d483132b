/**
 * An error as it crosses from an engine worker thread to the calling thread: the Parquet thread's
 * form (message, and a system error's code, path and syscall) plus the built-in class it was, so
 * that a malformed line fails a pooled pass with the SyntaxError the calling thread would throw.
 */
import { rebuildError, threadErrorOf, type ThreadError } from '../dataset/parquet-thread.js';

export interface WorkerError extends ThreadError {
  name?: string;
}

const BUILT_IN: Record<string, ErrorConstructor> = { SyntaxError, TypeError, RangeError, ReferenceError };

export function workerErrorOf(error: unknown): WorkerError {
  const name = (error as { name?: unknown } | null)?.name;
  return { ...threadErrorOf(error), ...(typeof name === 'string' && name in BUILT_IN ? { name } : {}) };
}

export function rebuiltWorkerError({ name, ...error }: WorkerError): Error {
  const Class = name === undefined ? undefined : BUILT_IN[name];
  return Class ? Object.assign(new Class(error.message), error) : rebuildError(error);
}
