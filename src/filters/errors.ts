import { UsageError } from '../errors.js';
import { formatPath, type Issue } from '../issues.js';

/**
 * A filter spec that cannot be compiled: a bad rule, a field path that does not parse, or a regex
 * JavaScript cannot run. Recipes are validated before a run starts, so this normally surfaces from
 * `synthforge validate`; a TS caller that builds a spec in code meets it in `compileFilter`.
 * Issue paths are relative to the spec (`all[1].min_char`).
 */
export class FilterSpecError extends UsageError {
  constructor(readonly issues: readonly Issue[]) {
    super('filter_invalid', `invalid filter:\n  ${issues.map(describeIssue).join('\n  ')}`, { details: { issues } });
    this.name = 'FilterSpecError';
  }
}

/** A problem with the whole spec reads better without a `(root): ` prefix. */
function describeIssue(issue: Issue): string {
  return issue.path.length > 0 ? `${formatPath(issue.path)}: ${issue.message}` : issue.message;
}
