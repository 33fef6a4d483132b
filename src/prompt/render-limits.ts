/**
 * What one render of a template may cost. A template is user input run once per record: a loop over
 * `range(100000000)` or two nested loops would otherwise take gigabytes or never end, and a render is
 * synchronous, so while it runs nothing else does (not even Ctrl-C). Every bound ends the render with
 * a `template_limit_exceeded` error for that record.
 *
 * The step and size bounds are deterministic: a record fails on every machine or on none. The clock
 * is the backstop for work the steps do not see (one builtin over a long value) and keeps a render
 * from holding the process longer than a second.
 */
export interface RenderLimits {
  /** Interpreter steps: one per evaluated expression or statement, LOOP_ITERATION_STEPS per loop iteration. */
  readonly maxSteps: number;
  /** Characters of the rendered text and of any string the template builds. */
  readonly maxChars: number;
  /** Elements of any list or mapping the template builds, nested ones included; also the longest `range()`. */
  readonly maxItems: number;
  /** Wall-clock milliseconds of one render. */
  readonly maxMillis: number;
}

/**
 * 8,000,000 characters is about 2 M tokens, the largest context window any provider offers: a longer
 * prompt could not be sent anyway. A million steps take about a second of this interpreter's time on
 * a slow core (a loop iteration costs about four expressions), so the step bound fires first.
 */
export const DEFAULT_RENDER_LIMITS: RenderLimits = {
  maxSteps: 1_000_000,
  maxChars: 8_000_000,
  maxItems: 100_000,
  maxMillis: 1_000,
};

/** A loop iteration allocates a scope and the `loop` object: about four expressions' worth of work. */
export const LOOP_ITERATION_STEPS = 4;

export type RenderLimitKind = 'steps' | 'chars' | 'items' | 'time';

/** Thrown inside a render when a bound is crossed; compileTemplate turns it into a TemplateRenderError. */
export class RenderLimitExceeded extends Error {
  constructor(
    readonly limit: RenderLimitKind,
    message: string,
  ) {
    super(message);
    this.name = 'RenderLimitExceeded';
  }
}

/** Steps between two looks at the clock: a render under this many steps never reads it. */
export const CLOCK_CHECK_EVERY = 512;

/** The running account of one render: steps taken and the deadline. */
export class RenderBudget {
  private steps = 0;
  private nextClockCheck = CLOCK_CHECK_EVERY;
  private readonly deadline: number;

  constructor(
    readonly limits: RenderLimits,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.deadline = now() + limits.maxMillis;
  }

  /** Steps taken so far. */
  get spent(): number {
    return this.steps;
  }

  spend(steps: number): void {
    this.steps += steps;
    if (this.steps > this.limits.maxSteps) {
      throw new RenderLimitExceeded(
        'steps',
        `stopped after ${formatCount(this.limits.maxSteps)} steps (a loop too long, or loops nested too deep)`,
      );
    }
    if (this.steps >= this.nextClockCheck) {
      this.nextClockCheck = this.steps + CLOCK_CHECK_EVERY;
      this.checkClock();
    }
  }

  checkClock(): void {
    if (this.now() > this.deadline) {
      throw new RenderLimitExceeded('time', `stopped after ${formatCount(this.limits.maxMillis)} ms`);
    }
  }

  checkChars(length: number, what: string): void {
    if (length > this.limits.maxChars) {
      throw new RenderLimitExceeded('chars', `${what} would be ${formatCount(length)} characters, over the limit of ${formatCount(this.limits.maxChars)}`);
    }
  }

  checkItems(count: number, what: string): void {
    if (count > this.limits.maxItems) {
      throw new RenderLimitExceeded('items', `${what} would hold ${formatCount(count)} items, over the limit of ${formatCount(this.limits.maxItems)}`);
    }
  }
}

export function formatCount(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : String(value);
}
