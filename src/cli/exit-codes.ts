/** The only table of exit codes. */
export const EXIT = {
  ok: 0,
  /** The command ran and failed (provider error, run failed). */
  failed: 1,
  /** Bad input: recipe, seed file, flag, missing credentials. */
  usage: 2,
  /** The run stopped at the budget guard; raise `budget.max_usd` and resume. */
  budget: 3,
  /** The run was cancelled (`synthforge cancel`); it can be resumed. */
  cancelled: 4,
  /** Interrupted (Ctrl-C): batches keep running at the provider; run the command again to continue. */
  interrupted: 130,
  /** A bug in synthforge. */
  internal: 70,
} as const;
