import { expect } from 'vitest';
import { WriteWorkerError } from '../../src/dataset/errors.js';

/**
 * A write-side thread that threw outside any request: the owed work fails with `write_worker`, the
 * thread's error as its cause and in its message after `<subject> crashed: `.
 */
export function expectWriteThreadCrashed(error: unknown, subject: string): void {
  expect(error).toBeInstanceOf(WriteWorkerError);
  const cause = (error as Error).cause;
  expect(cause).toBeInstanceOf(Error);
  expect(error).toMatchObject({ code: 'write_worker', message: `${subject} crashed: ${(cause as Error).message}` });
}
