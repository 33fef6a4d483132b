import { UsageError } from '../errors.js';
import { formatIssues, type Issue } from '../issues.js';

/**
 * The schema itself is unusable: it is not valid JSON Schema, or it cannot be expressed in the
 * structured-output form a provider needs. Issue paths point INTO the schema
 * (`['properties', 'answer', 'type']`), so a recipe loader can prefix them with the step's key path.
 */
export class SchemaDefinitionError extends UsageError {
  readonly issues: Issue[];

  /** `schemaName` is undefined when a bare JSON Schema is converted for a provider. */
  constructor(schemaName: string | undefined, issues: Issue[], options: { provider?: string } = {}) {
    const what = schemaName === undefined ? 'the schema' : `schema "${schemaName}"`;
    const where = options.provider === undefined ? '' : ` with ${options.provider}`;
    super('schema_invalid', `${what} cannot be used${where}:\n${indent(formatIssues(issues))}`, {
      details: { ...(schemaName === undefined ? {} : { schemaName }), issues, ...(options.provider === undefined ? {} : { provider: options.provider }) },
    });
    this.name = 'SchemaDefinitionError';
    this.issues = issues;
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
