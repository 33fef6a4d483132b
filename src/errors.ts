/**
 * The root of every error synthforge throws on purpose. Each subclass carries a stable `code` that
 * callers switch on (never the message text) and the process exit code the CLI uses for it.
 *
 * `isInstance` checks a `Symbol.for` marker instead of `instanceof`, so an error thrown by a second
 * copy of synthforge (a TS recipe that resolved its own install) is still recognised.
 */
const MARKER = Symbol.for('synthforge.error');

export type ErrorDetails = Readonly<Record<string, unknown>>;

export class SynthforgeError extends Error {
  readonly [MARKER] = true;
  readonly code: string;
  /** Process exit code when this error ends a CLI command. 1 = failed, 2 = bad input. */
  readonly exitCode: number;
  readonly details: ErrorDetails;

  constructor(
    code: string,
    message: string,
    options: { exitCode?: number; details?: ErrorDetails; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SynthforgeError';
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
    this.details = options.details ?? {};
  }

  static isInstance(value: unknown): value is SynthforgeError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }

  /** Plain JSON for `--json` output and event streams. */
  toJSON(): { code: string; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** Bad input from the user (a file, a flag, an environment variable): exit code 2. */
export class UsageError extends SynthforgeError {
  constructor(code: string, message: string, options: { details?: ErrorDetails; cause?: unknown } = {}) {
    super(code, message, { ...options, exitCode: 2 });
    this.name = 'UsageError';
  }
}
