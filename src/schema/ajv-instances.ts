import { Ajv, type Options } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { formatNames } from 'ajv-formats/dist/formats.js';
import type { AnySchemaObject, ValidateFunction } from 'ajv';
import { createRequire } from 'node:module';
import { codePointLength } from './code-point-length.js';

/** The JSON Schema drafts users commonly declare in `$schema`. A schema without `$schema` is read as 2020-12. */
export type SchemaDraft = 'draft-07' | '2019-09' | '2020-12';

const DRAFT_BY_URI: Record<string, SchemaDraft> = {
  'json-schema.org/draft-07/schema': 'draft-07',
  'json-schema.org/draft/2019-09/schema': '2019-09',
  'json-schema.org/draft/2020-12/schema': '2020-12',
};

/** The draft a `$schema` value names, or undefined for one we do not support (draft-04, draft-06, a custom meta-schema). */
export function draftOf(schemaUri: unknown): SchemaDraft | undefined {
  if (schemaUri === undefined) return '2020-12';
  if (typeof schemaUri !== 'string') return undefined;
  const key = schemaUri.replace(/^https?:\/\//, '').replace(/#$/, '');
  return DRAFT_BY_URI[key];
}

/** Every `format` our validator checks (ajv-formats, full mode). */
export const KNOWN_FORMATS: ReadonlySet<string> = new Set(formatNames);

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import types as the module object.
type FormatsPlugin = (ajv: Ajv | Ajv2019 | Ajv2020) => unknown;
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin);

const OPTIONS: Options = {
  allErrors: true, // style rule 4: collect every issue, not the first
  verbose: true, // errors carry the offending data, for "expected string, got null"
  strict: false, // our own definition check reports unknown keywords with paths; ajv's would throw without one
  logger: false,
  addUsedSchema: false, // many step schemas may share an `$id`; never register them globally
  useDefaults: true, // parity with zod, whose parse fills `.default()` values
  validateFormats: true,
};

/**
 * For schemas already checked against their meta-schema (in another thread): compiling a draft's
 * meta-schema, which `validateSchema` does first, is most of what a collect thread's start costs.
 */
const TRUSTED_OPTIONS: Options = { ...OPTIONS, validateSchema: false };

const instances = new Map<string, Ajv | Ajv2019 | Ajv2020>();

/**
 * ajv counts a string's characters for minLength/maxLength with a loop over every UTF-16 unit
 * (`ajv/dist/runtime/ucs2length`), most of the time a check of an answer with a long text field
 * takes. A validator takes that module's function when it is compiled, so the same count, done
 * natively (code-point-length.ts), is put in its place before any schema is: validation, errors
 * and their order stay ajv's own.
 */
function installCodePointLength(): void {
  const runtime = createRequire(import.meta.url)('ajv/dist/runtime/ucs2length') as { default: ((text: string) => number) & { code?: string } };
  if (runtime.default === codePointLength) return;
  // Standalone code generation refers to ajv's module by this text; the count is the same.
  Object.assign(codePointLength, { code: runtime.default.code });
  runtime.default = codePointLength;
}
installCodePointLength();

/** `trusted`: an instance that compiles without validating the schema against its meta-schema (TRUSTED_OPTIONS). */
export function ajvFor(draft: SchemaDraft, options: { trusted?: boolean } = {}): Ajv | Ajv2019 | Ajv2020 {
  const key = options.trusted ? `${draft} trusted` : draft;
  let ajv = instances.get(key);
  if (ajv === undefined) {
    const chosen = options.trusted ? TRUSTED_OPTIONS : OPTIONS;
    ajv = draft === 'draft-07' ? new Ajv(chosen) : draft === '2019-09' ? new Ajv2019(chosen) : new Ajv2020(chosen);
    addFormats(ajv);
    instances.set(key, ajv);
  }
  return ajv;
}

/** Compiles without `$schema`: the instance already fixes the draft, and a trailing `#` or `http:` variant would miss its meta-schema. */
export function compileWithAjv(schema: AnySchemaObject, draft: SchemaDraft, options: { trusted?: boolean } = {}): ValidateFunction {
  const { $schema: _ignored, ...rest } = schema;
  return ajvFor(draft, options).compile(rest);
}
