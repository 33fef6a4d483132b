/**
 * Schema-valid data for the responder. json-schema-faker walks the schema (enum, const, formats, pattern,
 * min/max, items, required, anyOf, $ref/$defs, recursion); we replace its random-character strings with
 * readable sentences, and check every result with ajv so a line the emulator calls valid really is.
 *
 * Before generating, the schema is prepared: objects that allow additional properties get
 * `additionalProperties: false` (extra invented keys would be valid but noisy), and constraints that the
 * Anthropic SDK moved into a description as `{minimum: 0}` are put back as keywords, so the data honours what
 * the user asked for even though the provider would not enforce it.
 */
import { generateSync, type JsonSchema as FakerSchema, type Random } from 'json-schema-faker';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import { buildText, drawWordCount, type AnswerLength } from './sentence-builder.js';
import { createSeededRandom, type HashPart } from './seeded-random.js';
import { NOUNS } from './vocabulary.js';

export type SchemaNode = Record<string, unknown>;

const GENERATION_ATTEMPTS = 8;
const SCHEMA_CACHE_SIZE = 200;
const HINT_KEYWORDS = new Set([
  'minLength', 'maxLength', 'pattern', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'multipleOf', 'minItems', 'maxItems', 'uniqueItems',
]);
/** Keywords whose value is a schema, or a list or map of schemas. */
const SUBSCHEMA_KEYWORDS = ['items', 'additionalItems', 'not', 'if', 'then', 'else', 'contains', 'propertyNames'];
const SUBSCHEMA_LIST_KEYWORDS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const SUBSCHEMA_MAP_KEYWORDS = ['properties', '$defs', 'definitions', 'patternProperties'];

export function isSchemaNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Calls `visit` on every schema node under `schema`, parents first. */
export function walkSchema(schema: unknown, visit: (node: SchemaNode, path: string) => void, path = '#'): void {
  if (!isSchemaNode(schema)) return;
  visit(schema, path);
  for (const keyword of SUBSCHEMA_KEYWORDS) walkSchema(schema[keyword], visit, `${path}/${keyword}`);
  if (isSchemaNode(schema.additionalProperties)) {
    walkSchema(schema.additionalProperties, visit, `${path}/additionalProperties`);
  }
  for (const keyword of SUBSCHEMA_LIST_KEYWORDS) {
    const list = schema[keyword];
    if (Array.isArray(list)) list.forEach((entry, index) => walkSchema(entry, visit, `${path}/${keyword}/${index}`));
  }
  for (const keyword of SUBSCHEMA_MAP_KEYWORDS) {
    const map = schema[keyword];
    if (isSchemaNode(map)) {
      for (const [key, entry] of Object.entries(map)) walkSchema(entry, visit, `${path}/${keyword}/${key}`);
    }
  }
}

export function isObjectSchema(node: SchemaNode): boolean {
  const type = node.type;
  return type === 'object' || (Array.isArray(type) && type.includes('object')) || isSchemaNode(node.properties);
}

/** `{minimum: 0, maxItems: 3}` at the end of a description, as written by the Anthropic SDK's schema transform. */
export function readDescriptionHints(description: unknown): SchemaNode {
  if (typeof description !== 'string') return {};
  const match = /(?:^|\n\n)\{([^\n]*)\}$/.exec(description);
  if (!match?.[1]) return {};
  try {
    const json = `{${match[1].replace(/(^|, )([A-Za-z$][\w$]*): /g, '$1"$2": ')}}`;
    const parsed: unknown = JSON.parse(json);
    if (!isSchemaNode(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter(([key]) => HINT_KEYWORDS.has(key)));
  } catch {
    return {};
  }
}

export function prepareSchema(schema: unknown): SchemaNode {
  const copy: unknown = JSON.parse(JSON.stringify(schema ?? {}));
  if (!isSchemaNode(copy)) return {};
  delete copy.$schema;
  walkSchema(copy, (node) => {
    for (const [key, value] of Object.entries(readDescriptionHints(node.description))) {
      if (!(key in node)) node[key] = value;
    }
    if (isObjectSchema(node) && node.additionalProperties === undefined) node.additionalProperties = false;
  });
  if (isSchemaNode(copy.definitions)) copy.$defs = { ...copy.definitions, ...(isSchemaNode(copy.$defs) ? copy.$defs : {}) };
  return copy;
}

const addFormats = resolveDefault(ajvFormats) as (ajv: Ajv2020) => Ajv2020;

function resolveDefault(module: unknown): unknown {
  let value = module;
  while (typeof value === 'object' && value !== null && 'default' in value) value = (value as { default: unknown }).default;
  return value;
}

interface PreparedSchema {
  prepared: SchemaNode;
  /** Null when ajv cannot compile the schema (then nothing is checked). */
  validate: ValidateFunction | null;
}

/**
 * Prepared schemas and validators by schema text. Every line of a batch usually carries the same schema, so
 * preparing and compiling once per distinct schema keeps the per-line cost to a lookup.
 */
const preparedSchemas = new Map<string, PreparedSchema>();

let sharedAjv: Ajv2020 | undefined;

function compile(schema: SchemaNode): ValidateFunction | null {
  try {
    // One instance for all schemas (building one costs more than compiling); `addUsedSchema: false` keeps
    // user `$id`s from colliding across schemas.
    if (!sharedAjv) {
      sharedAjv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true, addUsedSchema: false });
      addFormats(sharedAjv);
    }
    return sharedAjv.compile(schema);
  } catch {
    return null;
  }
}

/** The prepared form of `schema` and its validator, cached (memoises by JSON text; `schema` is not mutated). */
export function preparedSchemaOf(schema: unknown): PreparedSchema {
  const key = JSON.stringify(schema ?? {});
  let entry = preparedSchemas.get(key);
  if (!entry) {
    const prepared = prepareSchema(schema);
    entry = { prepared, validate: compile(prepared) };
    if (preparedSchemas.size >= SCHEMA_CACHE_SIZE) preparedSchemas.delete(preparedSchemas.keys().next().value as string);
    preparedSchemas.set(key, entry);
  }
  return entry;
}

/** True when `data` is valid against the prepared form of `schema`; undefined when that cannot be checked. */
export function checkSchemaData(schema: unknown, data: unknown): boolean | undefined {
  const { validate } = preparedSchemaOf(schema);
  return validate ? (validate(data) as boolean) : undefined;
}

/**
 * Generators for the string formats that OpenAI strict mode and Anthropic JSON outputs accept. We supply our
 * own because json-schema-faker 0.6.3 emits durations such as "PT0D" that ajv-formats (rightly) rejects, and
 * every line the emulator calls valid must pass the validator a client would use.
 */
const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
const hex = (random: Random, digits: number): string =>
  Array.from({ length: digits }, () => random.int(0, 15).toString(16)).join('');

function date(random: Random): string {
  return `${random.int(2019, 2026)}-${pad(random.int(1, 12))}-${pad(random.int(1, 28))}`;
}

function time(random: Random): string {
  return `${pad(random.int(0, 23))}:${pad(random.int(0, 59))}:${pad(random.int(0, 59))}Z`;
}

const FORMAT_GENERATORS: Readonly<Record<string, (random: Random) => string>> = {
  'date-time': (random) => `${date(random)}T${time(random)}`,
  date,
  time,
  duration: (random) => `P${random.int(1, 30)}DT${random.int(0, 23)}H${random.int(0, 59)}M`,
  email: (random) => `${random.pick(NOUNS)}.${random.pick(NOUNS)}${random.int(1, 99)}@example.com`,
  hostname: (random) => `${random.pick(NOUNS)}-${random.int(1, 99)}.example.com`,
  ipv4: (random) => `${random.int(1, 223)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`,
  ipv6: (random) => `2001:db8:${hex(random, 4)}:${hex(random, 4)}::${hex(random, 4)}`,
  uuid: (random) =>
    `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-${'89ab'[random.int(0, 3)]}${hex(random, 3)}-${hex(random, 12)}`,
  uri: (random) => `https://example.com/${random.pick(NOUNS)}/${random.int(1, 9999)}`,
};

function isPlainString(node: SchemaNode): boolean {
  return !('enum' in node) && !('const' in node) && !('format' in node) && !('pattern' in node);
}

/**
 * Data valid against `schema`, the same for the same seed. Strings without enum/format/pattern are sentences
 * mixing the vocabulary with `promptWords`, of a word count drawn from `answerLength` when it is given.
 * Falls back to `{}` only when the faker cannot handle the schema.
 */
export function generateSchemaData(schema: unknown, seedParts: HashPart[], promptWords: readonly string[], answerLength?: AnswerLength, firstChoiceRate = 0): unknown {
  const firstChoice = firstChoiceRate > 0 && createSeededRandom(...seedParts, 'first-choice').next() < firstChoiceRate;
  const { prepared, validate } = preparedSchemaOf(schema);
  let fallback: unknown = {};
  for (let attempt = 0; attempt < GENERATION_ATTEMPTS; attempt++) {
    let data: unknown;
    try {
      data = generateSync(prepared as FakerSchema, {
        seed: createSeededRandom(...seedParts, 'faker', attempt).int(1, 2 ** 31 - 1),
        formats: FORMAT_GENERATORS,
        maxDefaultItems: 3,
        refDepthMax: 2,
        outputTransform: (value, node, path) => {
          if (firstChoice && isSchemaNode(node) && Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];
          if (typeof value !== 'string' || !isSchemaNode(node) || !isPlainString(node)) return value;
          const random = createSeededRandom(...seedParts, 'text', attempt, path);
          return buildText(random, promptWords, {
            minLength: typeof node.minLength === 'number' ? node.minLength : undefined,
            maxLength: typeof node.maxLength === 'number' ? node.maxLength : undefined,
            ...(answerLength ? { words: drawWordCount(random, answerLength) } : {}),
          });
        },
      });
    } catch {
      continue;
    }
    if (!validate || validate(data)) return data;
    fallback = data;
  }
  return fallback;
}
