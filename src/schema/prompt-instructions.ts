import type { JsonSchema } from './json-schema.js';

/**
 * For servers without structured output (some OpenAI-compatible local servers): the schema goes
 * into the system message as a fenced ```json block, which is also what the emulator looks for.
 * The whole original schema is shown, since nothing is enforced server-side and the model should
 * see every constraint our validation will apply.
 */
export function toPromptInstructions(output: { name: string; jsonSchema: JsonSchema }): string {
  return [
    `Reply with a single JSON value that matches this JSON Schema (the "${output.name}" output).`,
    'Write only the JSON: no explanation before or after it. Include every required property and no properties the schema does not list.',
    '',
    '```json',
    JSON.stringify(output.jsonSchema, null, 2),
    '```',
  ].join('\n');
}
