/** A JSON Schema document (draft 2020-12 or draft-07) as a plain object. */
export type JsonSchema = { [keyword: string]: unknown };
