/**
 * Remembers a template's output by the values of the variables it reads. A system prompt that reads
 * `product` and `persona` has a few dozen distinct outputs over a million records, and rendering
 * through the Jinja interpreter was half of planning's CPU (bench/README.md, planning findings).
 *
 * Safe because rendering is a pure function of the variables a template can read: the globals hold
 * no clock or randomness (jinja-globals.ts leaves `strftime_now` out), and the caller renders from a
 * scope holding only those variables. Only scalar values take part in a key (string, finite number,
 * boolean, null), so the key says exactly what the template sees; a record with an object, array or
 * anything else in a read variable is rendered without the memo.
 *
 * Bounded: at most MAX_ENTRIES outputs (cleared when full), keys over MAX_KEY_CHARS are not stored,
 * and a template whose values rarely repeat (a user prompt reading the record's own question) stops
 * consulting the memo after WARMUP lookups, so it costs nothing there.
 */
const MAX_ENTRIES = 4096;
const MAX_KEY_CHARS = 2048;
const WARMUP = 2048;
/** Below this hit rate after WARMUP lookups the memo switches itself off. */
const MIN_HIT_RATE = 0.25;

export class RenderMemo<T = string> {
  private readonly outputs = new Map<string, T>();
  private lookups = 0;
  private hits = 0;
  private enabled = true;

  constructor(private readonly names: readonly string[]) {}

  /** Whether lookups are still made (false once the hit rate proved too low). */
  get active(): boolean {
    return this.enabled;
  }

  /**
   * The key for these fields, or undefined when the memo must not be used for them. Names are in a
   * fixed order and a missing or undefined variable is left out, so "missing" and null differ.
   */
  keyFor(fields: Readonly<Record<string, unknown>>): string | undefined {
    if (!this.enabled) return undefined;
    const present: unknown[] = [];
    for (const name of this.names) {
      if (!Object.hasOwn(fields, name)) continue;
      const value = fields[name];
      if (value === undefined) continue;
      if (!isScalar(value)) return undefined;
      present.push(name, value);
    }
    const key = JSON.stringify(present);
    return key.length > MAX_KEY_CHARS ? undefined : key;
  }

  get(key: string): T | undefined {
    this.lookups++;
    const output = this.outputs.get(key);
    if (output !== undefined) this.hits++;
    else if (this.lookups >= WARMUP && this.hits < this.lookups * MIN_HIT_RATE) this.disable();
    return output;
  }

  set(key: string, output: T): void {
    if (!this.enabled) return;
    if (this.outputs.size >= MAX_ENTRIES) this.outputs.clear();
    this.outputs.set(key, output);
  }

  private disable(): void {
    this.enabled = false;
    this.outputs.clear();
  }
}

function isScalar(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      // JSON writes NaN and ±Infinity as null, and -0 as 0: those would share a key with others.
      return Number.isFinite(value) && !Object.is(value, -0);
    default:
      return value === null;
  }
}
