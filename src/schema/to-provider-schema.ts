import { SchemaDefinitionError } from './errors.js';
import type { Issue as Issue } from '../issues.js';
import { encodePointerSegment, getAtPath, parseLocalRef, splitPointer, toPointer } from './json-pointer.js';
import { cloneJson, isJsonSchemaObject, isPrimitiveJson, type JsonSchema } from './json-schema.js';
import { deepEqual, mergeSchemas } from './merge-schemas.js';
import type { LocalOnlyKeyword, NarrowedKeyword, SchemaGrammar, ProviderSchema } from './schema-grammar.js';
import { collectRefs, forEachSubschema, KEYWORDS_BY_TYPE } from './schema-keywords.js';
import {
  appliesToTypes,
  DROPPED_SILENTLY,
  literalType,
  makeNullable,
  pick,
  splitTypeList,
  stripSilentKeywords,
  typeList,
  withoutKeys,
  WRAPPER_KEYWORDS,
} from './schema-node.js';
import { acceptsNull } from './strip-nulls-for-optional.js';

/**
 * Rewrites a JSON Schema into the subset a provider's structured-output grammar accepts.
 *
 * The rule that keeps this safe: the provider schema may be LOOSER than the original only by
 * keywords listed in `localOnly` (our own validation of every answer against the original schema
 * enforces them), and otherwise only STRICTER (`narrowed`: objects closed, free-form values limited
 * to scalars). So any answer the provider's grammar allows, once `stripNullsForOptional` has undone
 * the nullable rewrite, either passes the original schema or fails on a `localOnly` keyword.
 *
 * Steps per schema node: drop annotations; inline a `$ref` that has constraining siblings; merge
 * `allOf`; infer a missing `type`; `oneOf` → `anyOf`; remove the keywords the provider does not
 * take (noting them in the description, as the vendors' own SDK helpers do, so the model still
 * sees them); split multi-type `type` lists into `anyOf`; push constraining siblings of an `anyOf`
 * into its branches; then recurse into properties, items and branches.
 */
export function toProviderSchema(schema: JsonSchema, profile: SchemaGrammar): ProviderSchema {
  return new ProviderSchemaConverter(schema, profile).run();
}

/** Keywords the converter rewrites or passes through itself; any other keyword is sent only if the profile keeps it. */
const STRUCTURAL = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'items', 'prefixItems', 'additionalItems',
  'anyOf', 'oneOf', 'allOf', '$ref', 'enum', 'const', 'title', 'description',
]);
/** zod writes these bounds for every `.int()`; they restate "a safe JS integer" and are not a user's constraint. */
const SAFE_INTEGER_BOUNDS: Record<string, number> = { minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER };

type Definition = { raw: unknown; origin: string };
const MAX_DEPTH = 200;

class ProviderSchemaConverter {
  private readonly root: JsonSchema;
  private readonly origins = new WeakMap<object, string>();
  private readonly definitions = new Map<string, Definition>();
  /** Original `$ref` string → name under the output's `$defs`. */
  private readonly refNames = new Map<string, string>();
  private readonly convertedDefinitions = new Map<string, JsonSchema>();
  private readonly pendingDefinitions: string[] = [];
  private readonly inlining: string[] = [];
  /** The original document with `$defs` holding the best-known form of each definition, for `acceptsNull` on converted refs. */
  private readonly nullCheckRoot: JsonSchema;
  private readonly nullCheckDefinitions: JsonSchema = {};
  private readonly localOnly = new Map<string, LocalOnlyKeyword>();
  private readonly narrowed = new Map<string, NarrowedKeyword>();
  private depth = 0;

  constructor(
    schema: JsonSchema,
    private readonly profile: SchemaGrammar,
  ) {
    if (!isJsonSchemaObject(schema)) this.fail('#', 'not_a_schema', 'a schema must be a JSON object');
    this.root = cloneJson(schema);
    this.registerOrigins(this.root, []);
    this.collectDefinitions();
    for (const [name, definition] of this.definitions) this.nullCheckDefinitions[name] = definition.raw;
    this.nullCheckRoot = { ...this.root, $defs: this.nullCheckDefinitions };
  }

  run(): ProviderSchema {
    const root = this.convertRoot();
    while (this.pendingDefinitions.length > 0) {
      const name = this.pendingDefinitions.shift()!;
      const definition = this.definitions.get(name)!;
      const converted = this.convert(definition.raw, definition.origin, false);
      this.convertedDefinitions.set(name, converted);
      this.nullCheckDefinitions[name] = converted;
    }
    if (this.convertedDefinitions.size > 0) root.$defs = Object.fromEntries(this.convertedDefinitions);
    if (!this.profile.allowRecursion) this.rejectRecursion(root);
    return { schema: root, localOnly: [...this.localOnly.values()], narrowed: [...this.narrowed.values()] };
  }

  // ---- preparation -------------------------------------------------------------------------

  private registerOrigins(node: unknown, path: (string | number)[]): void {
    if (!isJsonSchemaObject(node) || this.origins.has(node)) return;
    this.origins.set(node, `#${toPointer(path)}`);
    forEachSubschema(node, path, (child, childPath) => this.registerOrigins(child, childPath));
  }

  /**
   * Every `$ref` target becomes an entry of the output's root `$defs`: `$defs` and draft-07
   * `definitions` keep their names, and a ref into any other place (zod-to-json-schema writes
   * `#/properties/a` for a reused schema) gets the target hoisted, since the rewrite moves things.
   */
  private collectDefinitions(): void {
    for (const keyword of ['$defs', 'definitions'] as const) {
      const map = this.root[keyword];
      if (!isJsonSchemaObject(map)) continue;
      for (const [name, raw] of Object.entries(map)) {
        const ref = `#/${keyword}/${encodePointerSegment(name)}`;
        this.addDefinition(name, raw, ref);
      }
    }
    for (const { ref, path } of collectRefs(this.root)) {
      if (ref === '#' || this.refNames.has(ref)) continue;
      const segments = parseLocalRef(ref);
      if (segments === undefined) this.fail(`#${toPointer(path)}`, 'external_ref', `only references inside the schema are supported, got ${JSON.stringify(ref)}`);
      const target = getAtPath(this.root, segments);
      if (typeof target !== 'boolean' && !isJsonSchemaObject(target)) {
        this.fail(`#${toPointer(path)}`, 'unresolved_ref', `$ref ${JSON.stringify(ref)} does not point at a schema in this document`);
      }
      this.addDefinition(segments.join('_') || 'root', target, ref, `#${toPointer(segments)}`);
    }
  }

  private addDefinition(wanted: string, raw: unknown, ref: string, origin = ref): void {
    let name = wanted.replace(/[^A-Za-z0-9_.-]/g, '_');
    for (let suffix = 2; this.definitions.has(name); suffix++) name = `${wanted}_${suffix}`;
    this.definitions.set(name, { raw, origin });
    this.refNames.set(ref, name);
  }

  // ---- conversion --------------------------------------------------------------------------

  private convertRoot(): JsonSchema {
    let raw: JsonSchema = this.root;
    // A root that is only a reference (some converters write `{$ref: '#/$defs/Root', $defs}`) is inlined.
    for (let hops = 0; typeof raw.$ref === 'string' && hops < 10; hops++) {
      const target = this.rawTarget(raw.$ref, '#');
      if (!isJsonSchemaObject(target)) break;
      const { $ref: _ref, $defs: _defs, definitions: _definitions, ...siblings } = raw;
      raw = { ...target, ...siblings };
    }
    const converted = this.convert(raw, '#', false, true);
    if (converted.type !== 'object') {
      this.fail('#', 'root_not_object', `${this.profile.label} needs the root to be type: object; a step schema's root must be an object (its properties become record fields)`);
    }
    return converted;
  }

  private convert(raw: unknown, fallbackPath: string, optional: boolean, isRoot = false): JsonSchema {
    const path = (isJsonSchemaObject(raw) && this.origins.get(raw)) || fallbackPath;
    // Inlining refs into unions and intersections can chase a reference cycle; real schemas are far shallower.
    if (++this.depth > MAX_DEPTH) this.fail(path, 'schema_too_deep', `${this.profile.label}: the schema nests more than ${MAX_DEPTH} levels once references are inlined (a reference cycle through allOf or anyOf?)`);
    let converted: JsonSchema;
    try {
      converted = this.convertNode(raw, path, isRoot);
    } finally {
      this.depth--;
    }
    if (optional && this.profile.requireAllProperties && !acceptsNull(converted, this.nullCheckRoot, 0)) return makeNullable(converted);
    return converted;
  }

  private convertNode(raw: unknown, path: string, isRoot: boolean, merges = 0): JsonSchema {
    if (merges > 32) this.fail(path, 'recursive_all_of', `${this.profile.label}: allOf and $ref nest too deeply here (a reference cycle through allOf?)`);
    if (raw === true) return this.anyValue(path, {});
    if (raw === false) this.fail(path, 'false_schema', `${this.profile.label} cannot express a schema that matches nothing (false)`);
    if (!isJsonSchemaObject(raw)) this.fail(path, 'not_a_schema', 'expected a schema object');

    let node = stripSilentKeywords(raw);
    if (typeof node.$ref === 'string') {
      const reference = this.convertRef(node, path);
      if (reference !== undefined) return reference;
      node = { allOf: [this.rawTarget(raw.$ref as string, path)], ...withoutKeys(node, ['$ref']) };
      this.inlining.push(raw.$ref as string);
      try {
        return this.convertNode(node, path, isRoot, merges + 1);
      } finally {
        this.inlining.pop();
      }
    }
    if (Array.isArray(node.allOf)) return this.convertNode(this.mergeAllOf(node, path), path, isRoot, merges + 1);

    node = this.inferType(node);
    node = this.unionAsAnyOf(node, path);
    if (this.profile.constAsEnum && 'const' in node && isPrimitiveJson(node.const) && !('enum' in node)) {
      const { const: value, ...rest } = node;
      node = { ...rest, enum: [value] };
    }
    node = this.filterKeywords(node, path);
    // Nothing says what the value is (no type to infer, or an `enum` of objects was removed).
    if (!['type', 'anyOf', 'enum', 'const', '$ref'].some((keyword) => keyword in node)) node = this.anyValue(path, node);
    node = splitTypeList(node);
    if (Array.isArray(node.anyOf)) {
      if (isRoot) node = this.dropRootUnion(node, path);
      else return this.convertUnion(node, path);
    }
    return this.convertChildren(node, path);
  }

  /** A bare `$ref` stays a reference; one with constraining siblings returns undefined and is inlined. */
  private convertRef(node: JsonSchema, path: string): JsonSchema | undefined {
    const ref = node.$ref as string;
    const constraining = Object.keys(node).filter((keyword) => keyword !== '$ref' && !WRAPPER_KEYWORDS.has(keyword));
    if (constraining.length > 0) {
      if (this.inlining.includes(ref)) {
        this.fail(path, 'recursive_ref_with_siblings', `${this.profile.label}: a recursive $ref ${JSON.stringify(ref)} cannot carry other keywords (${constraining.join(', ')})`);
      }
      return undefined;
    }
    if ('default' in node && !this.profile.keptKeywords.has('default')) this.noteLocalOnly(path, 'default');
    if (ref === '#') return { $ref: '#' };
    const name = this.refNames.get(ref)!;
    if (!this.convertedDefinitions.has(name) && !this.pendingDefinitions.includes(name)) this.pendingDefinitions.push(name);
    return { $ref: `#/$defs/${encodePointerSegment(name)}` };
  }

  private rawTarget(ref: string, path: string): unknown {
    if (ref === '#') return this.root;
    const name = this.refNames.get(ref);
    if (name === undefined) this.fail(path, 'unresolved_ref', `$ref ${JSON.stringify(ref)} does not resolve`);
    return this.definitions.get(name)!.raw;
  }

  /** Each part is filtered where it was written (so `localOnly` paths point at the right place), then merged. */
  private mergeAllOf(node: JsonSchema, path: string): JsonSchema {
    const { allOf, ...rest } = node;
    const parts: unknown[] = [this.filterKeywords(rest, path)];
    (allOf as unknown[]).forEach((part, index) => {
      let resolved = part;
      for (let hops = 0; isJsonSchemaObject(resolved) && typeof resolved.$ref === 'string' && hops < 10; hops++) {
        const ref = resolved.$ref;
        if (this.inlining.includes(ref) || ref === '#') {
          this.fail(path, 'recursive_all_of', `${this.profile.label}: allOf cannot include the recursive reference ${JSON.stringify(ref)}`);
        }
        const { $ref: _ref, ...siblings } = resolved;
        const target = this.rawTarget(ref, path);
        resolved = isJsonSchemaObject(target) && Object.keys(siblings).length > 0 ? { allOf: [target], ...siblings } : target;
      }
      const partPath = (isJsonSchemaObject(part) && this.origins.get(part)) || `${path}/allOf/${index}`;
      parts.push(isJsonSchemaObject(resolved) ? this.filterKeywords(stripSilentKeywords(resolved), partPath) : resolved);
    });
    const merged = mergeSchemas(parts);
    if (!merged.ok) this.fail(path, 'all_of_unmergeable', `${this.profile.label} takes no allOf, and this one cannot be merged into one schema: ${merged.reason}`);
    return merged.schema;
  }

  private inferType(node: JsonSchema): JsonSchema {
    if ('type' in node || '$ref' in node || 'anyOf' in node || 'oneOf' in node) return node;
    const literals = Array.isArray(node.enum) ? node.enum : 'const' in node ? [node.const] : undefined;
    if (literals !== undefined) {
      const types = [...new Set(literals.map(literalType))];
      const nonNull = types.filter((type) => type !== 'null');
      if (nonNull.length !== 1 || types.includes(undefined)) return node;
      return { ...node, type: types.length === 1 ? nonNull[0] : [nonNull[0], 'null'] };
    }
    for (const type of ['object', 'array', 'string', 'number'] as const) {
      if (KEYWORDS_BY_TYPE[type].some((keyword) => keyword in node)) return { ...node, type };
    }
    return node; // still untyped: becomes `anyValue` once its unsupported keywords are noted
  }

  /** An unconstrained value has no strict-grammar form; the provider is asked for a scalar instead. */
  private anyValue(path: string, node: JsonSchema): JsonSchema {
    this.noteNarrowed(path, 'type', 'any JSON value is requested as a string, number, boolean or null');
    return { ...pick(node, ['title', 'description']), anyOf: ['string', 'number', 'boolean', 'null'].map((type) => ({ type })) };
  }

  private unionAsAnyOf(node: JsonSchema, path: string): JsonSchema {
    if (!Array.isArray(node.oneOf)) return node;
    const { oneOf, ...rest } = node;
    if (oneOf.length > 1) this.noteLocalOnly(path, 'oneOf');
    if (Array.isArray(rest.anyOf)) return rest; // both present: keep anyOf, the oneOf is checked locally
    return { ...rest, anyOf: oneOf };
  }

  /** Removes what the provider does not take, noting each removed constraint; nested schemas are untouched here. */
  private filterKeywords(node: JsonSchema, path: string): JsonSchema {
    const result: JsonSchema = {};
    const dropped: [string, unknown][] = [];
    const types = typeList(node.type);
    for (const [keyword, value] of Object.entries(node)) {
      if (keyword.startsWith('x-') || DROPPED_SILENTLY.has(keyword)) continue;
      if (STRUCTURAL.has(keyword)) {
        result[keyword] = value;
      } else if (types.length > 0 && !appliesToTypes(keyword, types)) {
        continue; // a constraint for another type never fires
      } else if (SAFE_INTEGER_BOUNDS[keyword] === value && !this.profile.keptKeywords.has(keyword)) {
        continue;
      } else if (keyword === 'format') {
        if (typeof value === 'string' && this.profile.formats.has(value)) result.format = value;
        else dropped.push([keyword, value]);
      } else if (keyword === 'pattern') {
        if (typeof value === 'string' && this.profile.acceptsPattern(value)) result.pattern = value;
        else dropped.push([keyword, value]);
      } else if (keyword === 'minItems' && this.profile.minItemsAtMostOne) {
        result.minItems = typeof value === 'number' && value >= 1 ? 1 : 0;
        if (result.minItems !== value) dropped.push([keyword, value]);
      } else if (this.profile.keptKeywords.has(keyword)) {
        result[keyword] = value;
      } else {
        dropped.push([keyword, value]);
      }
    }
    if ('enum' in result && !(Array.isArray(result.enum) && result.enum.every(isPrimitiveJson))) {
      dropped.push(['enum', result.enum]);
      delete result.enum;
    }
    if ('const' in result && !isPrimitiveJson(result.const)) {
      dropped.push(['const', result.const]);
      delete result.const;
    }
    for (const [keyword] of dropped) this.noteLocalOnly(path, keyword);
    if (dropped.length > 0) {
      const text = `{${dropped.map(([keyword, value]) => `${keyword}: ${JSON.stringify(value)}`).join(', ')}}`;
      result.description = typeof result.description === 'string' && result.description !== '' ? `${result.description}\n\n${text}` : text;
    }
    return result;
  }

  /**
   * `{type: object, properties, anyOf: [{required: [a]}, {required: [b]}]}`: constraining siblings
   * are pushed into each branch (A ∧ (B1 ∨ B2) = (A ∧ B1) ∨ (A ∧ B2)), since a provider branch must
   * stand alone. When that cannot be done the union is left to local validation.
   */
  private convertUnion(node: JsonSchema, path: string): JsonSchema {
    const { anyOf, ...rest } = node;
    const wrapper = pick(rest, [...WRAPPER_KEYWORDS]);
    const siblings = withoutKeys(rest, [...WRAPPER_KEYWORDS]);
    const branches = anyOf as unknown[];
    let parts: unknown[] = branches;
    if (Object.keys(siblings).length > 0) {
      const distributed: unknown[] = [];
      for (const [index, branch] of branches.entries()) {
        const branchPath = (isJsonSchemaObject(branch) && this.origins.get(branch)) || `${path}/anyOf/${index}`;
        const resolved = this.resolveBranch(branch, branchPath);
        const filtered = isJsonSchemaObject(resolved) ? this.filterKeywords(stripSilentKeywords(resolved), branchPath) : resolved;
        const merged = mergeSchemas([siblings, filtered]);
        if (!merged.ok) {
          this.noteLocalOnly(path, 'anyOf');
          return this.convertNode({ ...wrapper, ...siblings }, path, false);
        }
        distributed.push(merged.schema);
      }
      parts = distributed;
    }
    const converted: JsonSchema[] = [];
    parts.forEach((part, index) => {
      const branch = this.convert(part, `${path}/anyOf/${index}`, false);
      if (!converted.some((existing) => deepEqual(existing, branch))) converted.push(branch);
    });
    if (converted.length === 1 && Object.keys(wrapper).length === 0) return converted[0]!;
    return { ...wrapper, anyOf: converted };
  }

  /** A `$ref` branch as the schema it names (its siblings kept as an allOf part), so siblings can be merged in. */
  private resolveBranch(branch: unknown, path: string): unknown {
    if (!isJsonSchemaObject(branch) || typeof branch.$ref !== 'string' || branch.$ref === '#' || this.inlining.includes(branch.$ref)) return branch;
    const { $ref: ref, ...siblings } = branch;
    const target = this.rawTarget(ref as string, path);
    return Object.keys(siblings).length > 0 && isJsonSchemaObject(target) ? { allOf: [target], ...siblings } : target;
  }

  /** The root must be one object. A root union that only adds constraints (`required` combinations) is checked locally. */
  private dropRootUnion(node: JsonSchema, path: string): JsonSchema {
    const declared = isJsonSchemaObject(node.properties) ? Object.keys(node.properties) : [];
    const addsShape = (node.anyOf as unknown[]).some((branch) => {
      if (!isJsonSchemaObject(branch)) return true;
      if (typeof branch.$ref === 'string' || Array.isArray(branch.anyOf) || Array.isArray(branch.allOf)) return true;
      const properties = isJsonSchemaObject(branch.properties) ? Object.keys(branch.properties) : [];
      return properties.some((key) => !declared.includes(key)) || (branch.type !== undefined && branch.type !== 'object');
    });
    if (addsShape || node.type !== 'object') {
      this.fail(path, 'root_union', `${this.profile.label} needs the root to be a single object, not a union (anyOf/oneOf); a step schema's root must be an object`);
    }
    this.noteLocalOnly(path, 'anyOf');
    return withoutKeys(node, ['anyOf']);
  }

  private convertChildren(node: JsonSchema, path: string): JsonSchema {
    const types = typeList(node.type);
    let result: JsonSchema = { ...node };
    if (types.includes('object')) result = this.convertObject(result, path);
    else for (const keyword of KEYWORDS_BY_TYPE.object) delete result[keyword];
    if (types.includes('array')) result = this.convertArray(result, path);
    else for (const keyword of KEYWORDS_BY_TYPE.array) delete result[keyword];
    return result;
  }

  private convertObject(node: JsonSchema, path: string): JsonSchema {
    const properties = isJsonSchemaObject(node.properties) ? node.properties : {};
    const required = new Set((Array.isArray(node.required) ? node.required : []).map(String));
    const converted: JsonSchema = {};
    for (const [key, child] of Object.entries(properties)) {
      converted[key] = this.convert(child, `${path}/properties/${encodePointerSegment(key)}`, !required.has(key));
    }
    for (const key of required) {
      if (key in converted) continue;
      // Required but undeclared: any value is allowed there; the closed provider object must still have the key.
      converted[key] = this.anyValue(`${path}/properties/${encodePointerSegment(key)}`, {});
    }
    if (node.additionalProperties !== undefined && node.additionalProperties !== false) {
      this.noteNarrowed(path, 'additionalProperties', 'properties not listed in "properties" are not requested');
    } else if (Object.keys(converted).length === 0) {
      this.noteNarrowed(path, 'properties', 'an object without declared properties is requested as {}');
    }
    const keys = Object.keys(converted);
    const result: JsonSchema = { ...node, properties: converted, additionalProperties: false };
    result.required = this.profile.requireAllProperties ? keys : keys.filter((key) => required.has(key));
    return result;
  }

  private convertArray(node: JsonSchema, path: string): JsonSchema {
    const { prefixItems, additionalItems, ...rest } = node;
    const tuple = Array.isArray(prefixItems) ? prefixItems : Array.isArray(rest.items) ? (rest.items as unknown[]) : undefined;
    const restItems = Array.isArray(prefixItems) ? rest.items : Array.isArray(rest.items) ? additionalItems : rest.items;
    if (tuple !== undefined) {
      this.noteLocalOnly(path, Array.isArray(prefixItems) ? 'prefixItems' : 'items');
      if (additionalItems !== undefined) this.noteLocalOnly(path, 'additionalItems');
      const members = [...tuple, ...(restItems === undefined || restItems === false ? [] : [restItems])];
      const branch = members.length === 1 ? members[0] : { anyOf: members };
      return { ...rest, items: members.length === 0 ? this.anyValue(`${path}/items`, {}) : this.convert(branch, `${path}/items`, false) };
    }
    if (restItems === undefined || restItems === true) {
      return { ...rest, items: this.anyValue(`${path}/items`, {}) };
    }
    return { ...rest, items: this.convert(restItems, `${path}/items`, false) };
  }

  // ---- checks and bookkeeping --------------------------------------------------------------

  private rejectRecursion(root: JsonSchema): void {
    const definitions = isJsonSchemaObject(root.$defs) ? root.$defs : {};
    const edges = new Map<string, string[]>();
    const targetsOf = (node: unknown): string[] =>
      collectRefs(withoutKeys(node as JsonSchema, ['$defs'])).map(({ ref }) => (ref === '#' ? '#' : decodeURIComponent(ref.replace('#/$defs/', ''))));
    edges.set('#', targetsOf(root));
    for (const [name, definition] of Object.entries(definitions)) edges.set(name, targetsOf(definition));
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string): void => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'visiting') {
        const origin = name === '#' ? '#' : (this.definitions.get(name)?.origin ?? '#');
        this.fail(origin, 'recursive_schema', `${this.profile.label} rejects recursive schemas (${name === '#' ? 'the root' : `"${name}"`} refers back to itself); use another output mode for this step`);
      }
      state.set(name, 'visiting');
      for (const target of edges.get(name) ?? []) visit(target);
      state.set(name, 'done');
    };
    visit('#');
  }

  private noteLocalOnly(path: string, keyword: string): void {
    this.localOnly.set(`${path} ${keyword}`, { path, keyword });
  }

  private noteNarrowed(path: string, keyword: string, note: string): void {
    this.narrowed.set(`${path} ${keyword}`, { path, keyword, note });
  }

  private fail(path: string, code: string, message: string): never {
    const issue: Issue = { code, path: splitPointer(path.slice(1)), message };
    throw new SchemaDefinitionError(undefined, [issue], { provider: this.profile.label });
  }
}
