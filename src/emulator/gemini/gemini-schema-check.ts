/**
 * The subset of JSON Schema that Gemini's `responseJsonSchema` takes, per the API reference of that field:
 * `$id $defs $ref $anchor type format title description enum items prefixItems minItems maxItems minimum
 * maximum anyOf oneOf properties additionalProperties required` and the non-standard `propertyOrdering`;
 * a `$ref` may carry only other `$` keywords. The reference says nothing else is supported; whether the
 * live API ignores or refuses other keywords is [UNVERIFIED], and the emulator refuses them (INVALID_ARGUMENT
 * for the line) so an adapter that forgets to strip `minLength` or `pattern` finds out here.
 */
import { isSchemaNode, walkSchema } from '../core/schema-data.js';

const SUPPORTED = new Set([
  'type', 'format', 'title', 'description', 'enum', 'items', 'prefixItems', 'minItems', 'maxItems', 'minimum', 'maximum',
  'anyOf', 'oneOf', 'properties', 'additionalProperties', 'required', 'propertyOrdering',
]);

/** The first unsupported construct, worded as an INVALID_ARGUMENT message; null when the schema is accepted. */
export function findGeminiSchemaProblem(schema: unknown): string | null {
  if (!isSchemaNode(schema)) return 'generation_config.response_json_schema: must be a JSON object.';
  let problem: string | null = null;
  walkSchema(schema, (node, path) => {
    if (problem) return;
    const keys = Object.keys(node).filter((key) => !key.startsWith('$'));
    if ('$ref' in node && keys.length > 0) {
      problem = `generation_config.response_json_schema: at ${path}, a schema with $ref may not set other properties (found ${keys.join(', ')}).`;
      return;
    }
    const unsupported = keys.find((key) => !SUPPORTED.has(key));
    if (unsupported) problem = `generation_config.response_json_schema: keyword "${unsupported}" at ${path} is not supported.`;
  });
  return problem;
}
