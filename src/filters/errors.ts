import { UsageError } from '../errors.js';

/**
 * A filter spec that cannot be compiled: a bad rule, a field path that does not parse, or a regex
 * JavaScript cannot run. Recipes are validated before a run starts, so this normally surfaces from
 * `synthforge validate`; a TS caller that builds a spec in code meets it in `compileFilter`.
 */
export class FilterSpecError extends UsageError {
  constructor(readonly issues: readonly string[]) {
    super('filter_invalid', `invalid filter:\n  ${issues.join('\n  ')}`, { details: { issues } });
    this.name = 'FilterSpecError';
  }
}
