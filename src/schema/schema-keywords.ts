import { isJsonSchemaObject, type JsonSchema } from './json-schema.js';

/**
 * Which JSON Schema keywords hold subschemas, so a walk visits schemas and never literal payloads
 * (`enum`, `const`, `default`, `examples` hold data that merely looks like schemas).
 */
export const SINGLE_SCHEMA_KEYWORDS = [
  'additionalProperties',
  'additionalItems',
  'contains',
  'not',
  'if',
  'then',
  'else',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
  'contentSchema',
] as const;
export const SCHEMA_LIST_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'] as const;
export const SCHEMA_MAP_KEYWORDS = [
  'properties',
  'patternProperties',
  '$defs',
  'definitions',
  'dependentSchemas',
  'dependencies',
] as const;

/** Keywords that describe and never constrain. */
export const ANNOTATION_KEYWORDS = new Set([
  'title',
  'description',
  'default',
  'examples',
  'example',
  '$comment',
  'readOnly',
  'writeOnly',
  'deprecated',
  'contentEncoding',
  'contentMediaType',
  'contentSchema',
]);

export const CORE_KEYWORDS = [
  '$schema', '$id', '$ref', '$comment', '$defs', 'definitions',
  'title', 'description', 'default', 'examples', 'readOnly', 'writeOnly', 'deprecated',
  'type', 'enum', 'const',
  'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'pattern', 'format', 'contentEncoding', 'contentMediaType',
  'items', 'maxItems', 'minItems', 'uniqueItems', 'contains',
  'maxProperties', 'minProperties', 'required', 'properties', 'patternProperties', 'additionalProperties',
  'propertyNames', 'dependencies',
  'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else',
] as const;
/** Keywords that only exist in draft-07 (2019-09 and 2020-12 replaced them). */
export const DRAFT7_ONLY_KEYWORDS = ['additionalItems'] as const;
/** Keywords that only exist from draft 2019-09 on. */
export const DRAFT2019_KEYWORDS = [
  '$anchor', '$vocabulary', '$recursiveRef', '$recursiveAnchor',
  'unevaluatedItems', 'unevaluatedProperties', 'dependentRequired', 'dependentSchemas',
  'minContains', 'maxContains', 'contentSchema',
] as const;
/** Keywords that only exist in draft 2020-12. */
export const DRAFT2020_KEYWORDS = ['prefixItems', '$dynamicRef', '$dynamicAnchor'] as const;

/** Which keywords constrain which instance type (used to infer a missing `type`). */
export const KEYWORDS_BY_TYPE: Record<'string' | 'number' | 'object' | 'array', readonly string[]> = {
  string: ['minLength', 'maxLength', 'pattern', 'format'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  object: [
    'properties', 'required', 'additionalProperties', 'patternProperties', 'propertyNames',
    'minProperties', 'maxProperties', 'unevaluatedProperties', 'dependentRequired', 'dependentSchemas', 'dependencies',
  ],
  array: [
    'items', 'prefixItems', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems',
    'contains', 'minContains', 'maxContains', 'unevaluatedItems',
  ],
};

export type SubschemaVisitor = (child: unknown, path: (string | number)[], keyword: string) => void;

/** Calls `visit` for every direct subschema of `schema`, with its path segments relative to `path`. */
export function forEachSubschema(schema: JsonSchema, path: (string | number)[], visit: SubschemaVisitor): void {
  for (const keyword of SINGLE_SCHEMA_KEYWORDS) {
    if (keyword in schema) visit(schema[keyword], [...path, keyword], keyword);
  }
  // `items` is one schema (2020-12, and draft-07 lists) or a tuple of schemas (draft-07).
  if ('items' in schema) {
    const items = schema.items;
    if (Array.isArray(items)) items.forEach((child, index) => visit(child, [...path, 'items', index], 'items'));
    else visit(items, [...path, 'items'], 'items');
  }
  for (const keyword of SCHEMA_LIST_KEYWORDS) {
    const children = schema[keyword];
    if (Array.isArray(children)) children.forEach((child, index) => visit(child, [...path, keyword, index], keyword));
    else if (children !== undefined) visit(children, [...path, keyword], keyword);
  }
  for (const keyword of SCHEMA_MAP_KEYWORDS) {
    const children = schema[keyword];
    if (!isJsonSchemaObject(children)) continue;
    for (const [key, child] of Object.entries(children)) {
      // draft-07 `dependencies` mixes schemas with lists of property names; only the schemas are walked.
      if (keyword === 'dependencies' && Array.isArray(child)) continue;
      visit(child, [...path, keyword, key], keyword);
    }
  }
}

/** Every `$ref` string in the document, with the path of the schema that holds it. */
export function collectRefs(schema: unknown, path: (string | number)[] = []): { ref: string; path: (string | number)[] }[] {
  const found: { ref: string; path: (string | number)[] }[] = [];
  const walk = (node: unknown, at: (string | number)[]): void => {
    if (!isJsonSchemaObject(node)) return;
    if (typeof node.$ref === 'string') found.push({ ref: node.$ref, path: at });
    forEachSubschema(node, at, (child, childPath) => walk(child, childPath));
  };
  walk(schema, path);
  return found;
}
