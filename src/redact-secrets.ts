/**
 * Known secret values (the API keys read from the environment) replaced by `[REDACTED:<VARIABLE>]`
 * before anything is printed or written. A server may echo what it was sent (a 401 body quoting the
 * `Authorization` header, a result line's error message), and whatever an adapter hands on ends up in
 * the store, shard and result files, manifests, events and terminal output. Redacting where the text
 * enters (the provider adapters) and again where it leaves (the CLI) keeps a key out of all of them.
 *
 * A value is matched as sent and in the forms it takes once quoted: JSON-escaped and URL-encoded.
 * Values shorter than MIN_SECRET_LENGTH are left alone: `OPENAI_API_KEY=any` (the emulator takes any
 * key) must not turn every "any" of a dataset into a redaction mark.
 *
 * A leaf: it imports nothing from the project.
 */

export interface NamedSecret {
  /** The environment variable the value came from; it names the redaction mark. */
  name: string;
  value: string;
}

/** Real API keys are 30+ characters; anything under 8 is a placeholder, not a secret. */
export const MIN_SECRET_LENGTH = 8;

interface Needle {
  text: string;
  mark: string;
}

export class SecretRedactor {
  /** Redacts nothing: for callers that have no secrets (offline runs, tests). */
  static readonly none = new SecretRedactor([]);

  /** Longest first, so a value that contains another is replaced whole. */
  private readonly needles: readonly Needle[];

  /** The secrets it redacts (placeholders left out): another thread builds the same redactor from them. */
  readonly secrets: readonly NamedSecret[];

  constructor(secrets: Iterable<NamedSecret>) {
    const needles = new Map<string, string>();
    const kept: NamedSecret[] = [];
    for (const { name, value } of secrets) {
      if (value.length < MIN_SECRET_LENGTH) continue;
      kept.push({ name, value });
      const mark = `[REDACTED:${name}]`;
      for (const form of [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]) {
        if (!needles.has(form)) needles.set(form, mark);
      }
    }
    this.secrets = kept;
    this.needles = [...needles].map(([text, mark]) => ({ text, mark })).sort((left, right) => right.text.length - left.text.length);
  }

  /** The values of `names` that are set in `env`. */
  static fromEnv(env: Readonly<Record<string, string | undefined>>, names: Iterable<string>): SecretRedactor {
    const secrets: NamedSecret[] = [];
    for (const name of new Set(names)) {
      const value = env[name];
      if (value) secrets.push({ name, value });
    }
    return new SecretRedactor(secrets);
  }

  get isEmpty(): boolean {
    return this.needles.length === 0;
  }

  /**
   * `bytes` (UTF-8 text) with every secret replaced, as `text` would: the same chunk when none
   * occurs, which is found without decoding it. A mark holds no quote or backslash, so redacted JSON
   * stays valid JSON.
   */
  bytes(bytes: Uint8Array): Uint8Array {
    if (this.isEmpty) return bytes;
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (!this.needles.some(({ text }) => view.includes(text))) return bytes;
    return Buffer.from(this.text(view.toString('utf8')));
  }

  text(value: string): string {
    let result = value;
    for (const { text, mark } of this.needles) {
      if (result.includes(text)) result = result.split(text).join(mark);
    }
    return result;
  }

  /**
   * `value` with every string inside it redacted (plain objects and arrays are walked; keys too). Returns
   * the same object when nothing changed, so the common case allocates nothing.
   */
  value<T>(value: T): T {
    if (this.isEmpty) return value;
    return this.walk(value, 0) as T;
  }

  /**
   * Redacts an error in place (its class, code and exit code stay as they are): message, stack, details
   * and the chain of causes. A cause that is not one of our errors (an SDK error holding the raw
   * response body and headers) is replaced by a plain Error with its name and redacted message, since
   * its other fields cannot all be walked.
   */
  error<T>(error: T, depth = 0): T {
    if (this.isEmpty || typeof error !== 'object' || error === null) return error;
    const target = error as unknown as Record<string, unknown>;
    for (const key of ['message', 'stack'] as const) {
      const text = target[key];
      if (typeof text === 'string') define(target, key, this.text(text));
    }
    if (target.details !== undefined) define(target, 'details', this.value(target.details));
    if ('cause' in target && target.cause !== undefined) {
      define(target, 'cause', depth >= 8 ? undefined : this.redactCause(target.cause, depth));
    }
    return error;
  }

  private redactCause(cause: unknown, depth: number): unknown {
    if (typeof cause !== 'object' || cause === null) return typeof cause === 'string' ? this.text(cause) : cause;
    if ((cause as Record<symbol, unknown>)[Symbol.for('synthforge.error')] === true) return this.error(cause, depth + 1);
    const original = cause as { name?: unknown; message?: unknown; stack?: unknown; status?: unknown };
    const plain = new Error(this.text(typeof original.message === 'string' ? original.message : String(cause)));
    if (typeof original.name === 'string') plain.name = original.name;
    plain.stack = typeof original.stack === 'string' ? this.text(original.stack) : `${plain.name}: ${plain.message}`;
    if (typeof original.status === 'number') Object.assign(plain, { status: original.status });
    return plain;
  }

  private walk(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.text(value);
    if (typeof value !== 'object' || value === null || depth > 64) return value;
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      value.forEach((item, index) => {
        const redacted = this.walk(item, depth + 1);
        if (redacted !== item) (copy ??= [...value])[index] = redacted;
      });
      return copy ?? value;
    }
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) return value;
    let copy: Record<string, unknown> | undefined;
    for (const [key, item] of Object.entries(value)) {
      const redactedKey = this.text(key);
      const redacted = this.walk(item, depth + 1);
      if (redacted === item && redactedKey === key) continue;
      copy ??= { ...(value as Record<string, unknown>) };
      if (redactedKey !== key) delete copy[key];
      copy[redactedKey] = redacted;
    }
    return copy ?? value;
  }
}

/** Sets a property whether or not it is an own writable one (`readonly` fields, getters on Error). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (target[key] === value) return;
  const enumerable = Object.getOwnPropertyDescriptor(target, key)?.enumerable ?? false;
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable });
}
