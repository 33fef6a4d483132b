/**
 * An ordered window over a stream: up to `maxInFlight` items of `source` started (`start`: work
 * handed to threads, or begun in the background) ahead of the oldest, which is awaited (`decide`)
 * and yielded, in input order. Reading, the threads' work and the caller's use of each result
 * overlap, and memory stays bounded by the window. Stopped early, it closes `source`.
 */
export async function* inFlightWindow<Item, Started, Decided>(
  source: AsyncIterable<Item>,
  maxInFlight: number,
  start: (item: Item) => Started,
  decide: (started: Started) => Promise<Decided>,
): AsyncIterable<Decided> {
  const iterator = source[Symbol.asyncIterator]();
  const window: Started[] = [];
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && window.length < maxInFlight) {
        const next = await iterator.next();
        if (next.done === true) {
          exhausted = true;
          break;
        }
        window.push(start(next.value));
      }
      const oldest = window.shift();
      if (oldest === undefined) return;
      yield await decide(oldest);
    }
  } finally {
    if (!exhausted) await iterator.return?.();
  }
}
