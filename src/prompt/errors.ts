import { UsageError, type ErrorDetails } from '../errors.js';
import type { RenderLimitKind } from './render-limits.js';

export type TemplateErrorDetails = {
  /** Where the template is written, e.g. `steps[0].prompt`. */
  where?: string;
  /** The record being rendered, when the failure is about one record. */
  recordId?: string;
  /** The template variable the record lacks, or the expression that printed a function. */
  variable?: string;
  /** The bound a render crossed. */
  limit?: RenderLimitKind;
  /** Set by `TemplateRenderError.locate`. */
  step?: string;
  record?: string;
};

/** A template that does not parse, or that cannot be rendered for a record (a missing field). */
export class TemplateError extends UsageError {
  declare readonly details: TemplateErrorDetails;

  constructor(message: string, details: TemplateErrorDetails = {}, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'template_invalid', message, { details, ...(options.cause === undefined ? {} : { cause: options.cause }) });
    this.name = 'TemplateError';
  }
}

/**
 * Stable codes of a render that failed for one record:
 * - `template_render_failed`: a field the template reads is missing, `raise_exception`, a type error;
 * - `template_limit_exceeded`: the render crossed a bound of `RenderLimits` (`details.limit` says which);
 * - `template_function_value`: the template printed a function instead of calling it (`{{ topic.split }}`).
 */
export type TemplateRenderCode = 'template_render_failed' | 'template_limit_exceeded' | 'template_function_value';

/**
 * A template that failed for one record: the recipe is fine, this record is not. The renderer knows
 * the template's place in the recipe and the record's id; the caller knows more (the step's name,
 * the record's source position such as `seeds/x.jsonl:57`) and fills `step` and `record` with
 * `locate`, which rewrites the message, so the error can be reported or quarantined as is.
 */
export class TemplateRenderError extends TemplateError {
  step: string | undefined;
  record: string | undefined;
  declare readonly code: TemplateRenderCode;
  private readonly where: string | undefined;
  private readonly problem: (record: string | undefined) => string;

  constructor(
    code: TemplateRenderCode,
    context: { where?: string; recordId?: string; variable?: string; limit?: RenderLimitKind },
    problem: (record: string | undefined) => string,
    options: { cause?: unknown } = {},
  ) {
    const details: TemplateErrorDetails = {
      ...(context.where === undefined ? {} : { where: context.where }),
      ...(context.recordId === undefined ? {} : { recordId: context.recordId }),
      ...(context.variable === undefined ? {} : { variable: context.variable }),
      ...(context.limit === undefined ? {} : { limit: context.limit }),
    };
    super(composeMessage(context.where, undefined, problem(context.recordId)), details, { ...options, code });
    this.name = 'TemplateRenderError';
    this.where = context.where;
    this.problem = problem;
    this.step = undefined;
    this.record = context.recordId;
  }

  /** Names the step and the record (its source position) in the error; returns the error itself. */
  locate(context: { step?: string; record?: string }): this {
    if (context.step !== undefined) this.step = context.step;
    if (context.record !== undefined) this.record = context.record;
    this.message = composeMessage(this.where, this.step, this.problem(this.record));
    const details: ErrorDetails = {
      ...this.details,
      ...(this.step === undefined ? {} : { step: this.step }),
      ...(this.record === undefined ? {} : { record: this.record }),
    };
    (this as { details: ErrorDetails }).details = details;
    return this;
  }
}

function composeMessage(where: string | undefined, step: string | undefined, problem: string): string {
  const template = where === undefined ? 'template' : `template ${where}`;
  return `${template}${step === undefined ? '' : ` of step "${step}"`}: ${problem}`;
}
