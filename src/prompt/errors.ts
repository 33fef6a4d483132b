import { UsageError } from '../errors.js';

export type TemplateErrorDetails = {
  /** Where the template is written, e.g. `steps[0].prompt`. */
  where?: string;
  /** The record being rendered, when the failure is about one record. */
  recordId?: string;
  /** The template variable the record lacks. */
  variable?: string;
};

/** A template that does not parse, or that cannot be rendered for a record (a missing field). */
export class TemplateError extends UsageError {
  declare readonly details: TemplateErrorDetails;

  constructor(message: string, details: TemplateErrorDetails = {}, options: { cause?: unknown } = {}) {
    super('template_invalid', message, { details, ...options });
    this.name = 'TemplateError';
  }
}
