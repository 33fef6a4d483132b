/**
 * The root of every error synthforge throws on purpose, and the one table of process exit codes.
 * Each error carries a stable `code` that callers switch on (never the message text) and the exit
 * code the CLI ends with when that error ends a command; the CLI does not decide it again.
 *
 * `isInstance` checks a `Symbol.for` marker instead of `instanceof`, so an error thrown by a second
 * copy of synthforge (a TS recipe that resolved its own install) is still recognised.
 *
 * A leaf: it imports nothing from the project.
 */

/** Scripts branch on these numbers, so they never change meaning; a new kind of ending gets a new number. */
export const EXIT_CODES = {
  ok: 0,
  /** The command ran and did not succeed: a provider error, a failed run, an unreadable dataset. */
  failed: 1,
  /** The input is wrong (recipe, seed file, flag, missing key): running again unchanged fails the same way. */
  usage: 2,
  /** The budget guard stopped the run before a shard that would cross `budget.max_usd`; nothing is lost. */
  budget: 3,
  /** The run was cancelled; what came back is kept and the run can be resumed. */
  cancelled: 4,
  /** Anything thrown that is not a SynthforgeError: a bug. 70 is EX_SOFTWARE from sysexits.h. */
  internal: 70,
  /**
   * Ctrl-C: 128 + SIGINT, as shells report it; SIGTERM (a supervisor, `kill`) stops a run the same way
   * and ends with the same code. Provider batches keep running; the next run picks them up.
   */
  interrupted: 130,
} as const;

export type ExitKind = keyof typeof EXIT_CODES;

/** One line per exit code, as `synthforge --help` and the README print them. */
export const EXIT_CODE_MEANINGS: Readonly<Record<ExitKind, string>> = {
  ok: 'success',
  failed: 'failed (provider error, failed run)',
  usage: 'bad input (recipe, seed file, flags, missing or refused key)',
  budget: 'budget reached; raise budget.max_usd and resume',
  cancelled: 'cancelled; the run can be resumed',
  internal: 'internal error (a bug in synthforge)',
  interrupted: 'interrupted (Ctrl-C or SIGTERM); batches keep running and the next run picks them up',
};

/**
 * The exit code for a run that ended without throwing, from its final status. A run that fails
 * rethrows its error, whose own exit code then applies; `failed` covers any status not listed.
 */
export function exitCodeForRunStatus(status: string): number {
  switch (status) {
    case 'completed':
      return EXIT_CODES.ok;
    case 'cancelled':
      return EXIT_CODES.cancelled;
    case 'interrupted':
      return EXIT_CODES.interrupted;
    case 'budget_exceeded':
      return EXIT_CODES.budget;
    default:
      return EXIT_CODES.failed;
  }
}

const MARKER = Symbol.for('synthforge.error');

export type ErrorDetails = Readonly<Record<string, unknown>>;

export class SynthforgeError extends Error {
  readonly [MARKER] = true;
  readonly code: string;
  /** Process exit code when this error ends a CLI command: a value of EXIT_CODES. */
  readonly exitCode: number;
  readonly details: ErrorDetails;

  constructor(
    code: string,
    message: string,
    options: { exit?: ExitKind; details?: ErrorDetails; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SynthforgeError';
    this.code = code;
    this.exitCode = EXIT_CODES[options.exit ?? 'failed'];
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

/** Bad input from the user (a file, a flag, an environment variable): exit code `usage`. */
export class UsageError extends SynthforgeError {
  constructor(code: string, message: string, options: { details?: ErrorDetails; cause?: unknown } = {}) {
    super(code, message, { ...options, exit: 'usage' });
    this.name = 'UsageError';
  }
}
