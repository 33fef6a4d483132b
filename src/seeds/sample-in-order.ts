import { createSeededRandom } from './seeded-random.js';
import type { RawSeed } from './seed-source.js';

/**
 * Picks `n` records uniformly without replacement from a stream of unknown length, holding only `n`
 * of them, then emits the picks in their original order (so sampling never shuffles a dataset).
 *
 * Algorithm R (Vitter, "Random sampling with a reservoir", 1985): keep the first n; record i (0-based,
 * i ≥ n) replaces reservoir slot j, with j uniform in [0, i], when j < n. Each record ends up in the
 * sample with probability n / N. One PRNG draw per record past the first n, so the same seed over
 * the same stream always yields the same picks. n ≥ N keeps everything.
 */
export async function* sampleInOrder(
  records: AsyncIterable<RawSeed>,
  n: number,
  seed: number,
): AsyncGenerator<RawSeed> {
  const random = createSeededRandom(seed);
  const reservoir: RawSeed[] = [];
  let seen = 0;
  for await (const record of records) {
    if (seen < n) {
      reservoir.push(record);
    } else {
      const slot = random.nextBelow(seen + 1);
      if (slot < n) reservoir[slot] = record;
    }
    seen += 1;
  }
  reservoir.sort((left, right) => left.ordinal - right.ordinal);
  yield* reservoir;
}
