import { ajvFor, draftOf, KNOWN_FORMATS, type SchemaDraft } from './ajv-instances.js';
import { didYouMean, type Issue } from '../issues.js';
import { parseLocalRef, getAtPath, pointerToValuePath } from './json-pointer.js';
import { isJsonSchemaObject, JSON_TYPE_NAMES, jsonTypeOf, type JsonSchema } from './json-schema.js';
import {
  ANNOTATION_KEYWORDS,
  CORE_KEYWORDS,
  DRAFT2019_KEYWORDS,
  DRAFT2020_KEYWORDS,
  DRAFT7_ONLY_KEYWORDS,
  forEachSubschema,
} from './schema-keywords.js';

type Path = (string | number)[];

/** Type names people write from other languages, and what JSON Schema calls them. */
const TYPE_ALIASES: Record<string, string> = {
  str: 'string', text: 'string', int: 'integer', float: 'number', double: 'number', bool: 'boolean',
  dict: 'object', map: 'object', record: 'object', list: 'array', none: 'null',
};

/** Keywords from neighbouring dialects that people paste into JSON Schema, with the JSON Schema way. */
const FOREIGN_KEYWORD_HINTS: Record<string, string> = {
  nullable: 'an OpenAPI keyword; in JSON Schema write type: [<type>, "null"]',
  optional: 'JSON Schema marks optional fields by leaving them out of the parent\'s "required" list',
  discriminator: 'an OpenAPI keyword; use anyOf with a const property in each branch',
};

const KNOWN_BY_DRAFT: Record<SchemaDraft, ReadonlySet<string>> = {
  'draft-07': new Set([...CORE_KEYWORDS, ...DRAFT7_ONLY_KEYWORDS, ...ANNOTATION_KEYWORDS]),
  '2019-09': new Set([...CORE_KEYWORDS, ...DRAFT2019_KEYWORDS, ...ANNOTATION_KEYWORDS]),
  '2020-12': new Set([...CORE_KEYWORDS, ...DRAFT2019_KEYWORDS, ...DRAFT2020_KEYWORDS, ...ANNOTATION_KEYWORDS]),
};
const ALL_KNOWN = new Set([...KNOWN_BY_DRAFT['draft-07'], ...KNOWN_BY_DRAFT['2020-12']]);

/**
 * Checks that a user-written JSON Schema is usable as a step's output schema, collecting every
 * problem with its path inside the schema: unknown keywords (with a suggestion), unknown type
 * names and formats, bad regexes, unresolved `$ref`s, then whatever the draft's meta-schema still
 * rejects. The caller compiles afterwards.
 */
export function checkJsonSchemaDefinition(schema: unknown): { draft: SchemaDraft; issues: Issue[] } {
  if (!isJsonSchemaObject(schema)) {
    return { draft: '2020-12', issues: [issue('not_a_schema', [], `a schema must be a JSON object, got ${jsonTypeOf(schema)}`)] };
  }
  const draft = draftOf(schema.$schema);
  if (draft === undefined) {
    return {
      draft: '2020-12',
      issues: [
        issue('unsupported_draft', ['$schema'], `unsupported $schema ${JSON.stringify(schema.$schema)}; use "https://json-schema.org/draft/2020-12/schema" or "http://json-schema.org/draft-07/schema#"`),
      ],
    };
  }
  const issues: Issue[] = [];
  checkRootIsObject(schema, issues);
  walk(schema, [], { root: schema, draft, issues });
  if (issues.length > 0) return { draft, issues };
  issues.push(...metaSchemaIssues(schema, draft));
  return { draft, issues };
}

function issue(code: string, path: Path, message: string): Issue {
  return { code, path, message };
}

function checkRootIsObject(schema: JsonSchema, issues: Issue[]): void {
  let root: unknown = schema;
  for (let hops = 0; hops < 10 && isJsonSchemaObject(root) && typeof root.$ref === 'string' && root.type === undefined; hops++) {
    const segments = parseLocalRef(root.$ref);
    root = segments === undefined ? undefined : getAtPath(schema, segments);
  }
  if (isJsonSchemaObject(root) && root.type === 'object') return;
  const type = isJsonSchemaObject(root) ? root.type : undefined;
  issues.push(
    issue(
      'root_not_object',
      ['type'],
      `the root of an output schema must be type: object (its properties become record fields)${type === undefined ? '' : `, got type ${JSON.stringify(type)}`}`,
    ),
  );
}

type WalkContext = { root: JsonSchema; draft: SchemaDraft; issues: Issue[] };

function walk(node: unknown, path: Path, context: WalkContext): void {
  if (typeof node === 'boolean') return;
  if (!isJsonSchemaObject(node)) {
    const example = typeof node === 'string' && JSON_TYPE_NAMES.includes(node as never) ? ` such as {type: ${node}}` : '';
    context.issues.push(issue('invalid_schema', path, `expected a schema object${example}, got ${jsonTypeOf(node)} ${JSON.stringify(node)}`));
    return;
  }
  for (const keyword of Object.keys(node)) checkKeyword(node, keyword, path, context);
  forEachSubschema(node, path, (child, childPath, keyword) => {
    // draft-07 tuples (`items: [...]`) are reported once as a whole in 2020-12.
    if (keyword === 'items' && Array.isArray(node.items) && context.draft !== 'draft-07') return;
    walk(child, childPath, context);
  });
}

function checkKeyword(node: JsonSchema, keyword: string, path: Path, context: WalkContext): void {
  const value = node[keyword];
  const at = [...path, keyword];
  const { issues, draft } = context;
  if (keyword.startsWith('x-')) return;
  if (!KNOWN_BY_DRAFT[draft].has(keyword)) {
    issues.push(issue('unknown_keyword', at, unknownKeywordMessage(keyword, value, draft)));
    return;
  }
  switch (keyword) {
    case 'type':
      checkTypeNames(value, at, issues);
      break;
    case 'pattern':
      checkPattern(value, at, issues);
      break;
    case 'format':
      if (typeof value === 'string' && !KNOWN_FORMATS.has(value)) {
        const hint = didYouMean(value, KNOWN_FORMATS);
        issues.push(issue('unknown_format', at, `unknown format ${JSON.stringify(value)}${hint === undefined ? '' : ` (did you mean "${hint}"?)`}; known formats: ${[...KNOWN_FORMATS].join(', ')}`));
      }
      break;
    case '$ref':
      checkRef(value, at, context);
      break;
    case 'items':
      if (Array.isArray(value) && draft !== 'draft-07') {
        issues.push(issue('tuple_items', at, 'a list under "items" is draft-07 tuple syntax; in 2020-12 write "prefixItems", or declare $schema: http://json-schema.org/draft-07/schema#'));
      }
      break;
    case 'required':
      checkRequiredDeclared(node, at, issues);
      break;
  }
}

function unknownKeywordMessage(keyword: string, value: unknown, draft: SchemaDraft): string {
  const foreign = FOREIGN_KEYWORD_HINTS[keyword];
  if (foreign !== undefined) return `unknown keyword "${keyword}": ${foreign}`;
  if (ALL_KNOWN.has(keyword)) {
    return draft === 'draft-07'
      ? `"${keyword}" is not a draft-07 keyword; declare $schema: https://json-schema.org/draft/2020-12/schema to use it`
      : `"${keyword}" is a draft-07 keyword; declare $schema: http://json-schema.org/draft-07/schema# or use the 2020-12 equivalent`;
  }
  const suggestion = didYouMean(keyword, KNOWN_BY_DRAFT[draft]);
  if (suggestion !== undefined) return `unknown keyword "${keyword}" (did you mean "${suggestion}"?)`;
  if (isJsonSchemaObject(value) && ('type' in value || 'properties' in value)) {
    return `unknown keyword "${keyword}"; if it is a field, put it under "properties"`;
  }
  return `unknown keyword "${keyword}" (custom annotations must start with "x-")`;
}

function checkTypeNames(value: unknown, at: Path, issues: Issue[]): void {
  const names = Array.isArray(value) ? value : [value];
  names.forEach((name, index) => {
    if (typeof name === 'string' && JSON_TYPE_NAMES.includes(name as never)) return;
    const where = Array.isArray(value) ? [...at, index] : at;
    const guess = typeof name === 'string' ? (TYPE_ALIASES[name.toLowerCase()] ?? didYouMean(name, JSON_TYPE_NAMES)) : undefined;
    issues.push(issue('unknown_type', where, `unknown type ${JSON.stringify(name)}${guess === undefined ? '' : ` (did you mean "${guess}"?)`}; types are ${JSON_TYPE_NAMES.join(', ')}`));
  });
}

function checkPattern(value: unknown, at: Path, issues: Issue[]): void {
  if (typeof value !== 'string') return; // the meta-schema reports the type
  try {
    new RegExp(value, 'u');
  } catch (error) {
    const inline = /^\(\?[a-z]+\)/.test(value) ? '; JavaScript has no inline flags such as (?i): spell both cases, e.g. [Aa]' : '';
    issues.push(issue('invalid_pattern', at, `invalid regular expression: ${(error as Error).message}${inline}`));
  }
}

function checkRef(value: unknown, at: Path, context: WalkContext): void {
  if (typeof value !== 'string') return;
  const segments = parseLocalRef(value);
  if (segments === undefined) {
    context.issues.push(issue('external_ref', at, `only references inside the schema are supported ("#/$defs/Name"), got ${JSON.stringify(value)}`));
    return;
  }
  const target = getAtPath(context.root, segments);
  if (typeof target !== 'boolean' && !isJsonSchemaObject(target)) {
    context.issues.push(issue('unresolved_ref', at, `$ref ${JSON.stringify(value)} does not point at a schema in this document`));
  }
}

/** With `additionalProperties: false`, a required name missing from `properties` can never be satisfied. */
function checkRequiredDeclared(node: JsonSchema, at: Path, issues: Issue[]): void {
  if (node.additionalProperties !== false || !Array.isArray(node.required)) return;
  const declared = isJsonSchemaObject(node.properties) ? node.properties : {};
  node.required.forEach((name, index) => {
    if (typeof name !== 'string' || name in declared) return;
    const guess = didYouMean(name, Object.keys(declared));
    issues.push(issue('required_not_declared', [...at, index], `"${name}" is required but not declared in properties, and additionalProperties is false${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`));
  });
}

/** What the draft's meta-schema still rejects (wrong value types for keywords, negative lengths, …). */
function metaSchemaIssues(schema: JsonSchema, draft: SchemaDraft): Issue[] {
  const ajv = ajvFor(draft);
  const { $schema: _ignored, ...rest } = schema;
  const issues: Issue[] = [];
  if (ajv.validateSchema(rest) !== true) {
    const seen = new Set<string>();
    for (const error of ajv.errors ?? []) {
      const path = pointerToValuePath(error.instancePath, rest);
      const key = JSON.stringify(path);
      if (seen.has(key)) continue; // one complaint per place; the meta-schema's anyOf repeats itself
      seen.add(key);
      const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
      const detail = allowed === undefined ? '' : `: ${allowed.map((value) => JSON.stringify(value)).join(', ')}`;
      issues.push(issue('invalid_keyword_value', path, `${error.message ?? 'invalid'}${detail}`));
    }
  }
  return issues;
}
