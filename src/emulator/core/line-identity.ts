/**
 * What the emulator takes a batch line to be: the request it asks (its body), not its custom_id. A real
 * model's answer does not depend on the id the caller chose, and a caller may name lines after its own run
 * and shard, so two runs of one recipe send the same requests under different ids. Seeding answers and
 * faults by the body keeps the emulator's answers reproducible across such runs.
 *
 * The k-th line of a batch with the same body as an earlier one is a request of its own (`n` samples of one
 * prompt), so the identity is the body's hash and its occurrence number in the batch. How many times the
 * server has run an identity (SeenIds) is its attempt: a line resubmitted after a failure rolls afresh.
 */
import { hashHex } from './seeded-random.js';

/** The identity of the `occurrence`-th line of a batch whose body serialises to `body` (0 for the first). */
export function lineIdentity(body: string, occurrence = 0): string {
  return `${hashHex('request-body', body)}#${occurrence}`;
}

export class LineIdentities {
  private readonly occurrences = new Map<string, number>();

  /** The identity of the next line of the batch, whose body serialises to `body`. */
  next(body: string): string {
    const occurrence = this.occurrences.get(body) ?? 0;
    this.occurrences.set(body, occurrence + 1);
    return lineIdentity(body, occurrence);
  }
}
