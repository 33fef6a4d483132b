import { describe, expect, it } from 'vitest';
import { extractJson } from '../../src/schema/extract-json.js';
import { toPromptInstructions } from '../../src/schema/prompt-instructions.js';

describe('toPromptInstructions', () => {
  const jsonSchema = { type: 'object', properties: { q: { type: 'string', minLength: 20 } }, required: ['q'] };
  const text = toPromptInstructions({ name: 'question', jsonSchema });

  it('asks for one JSON value and shows the whole original schema in a fenced json block', () => {
    expect(text.startsWith('Reply with a single JSON value that matches this JSON Schema')).toBe(true);
    expect(text).toContain('"question"');
    expect(text).toContain(`\`\`\`json\n${JSON.stringify(jsonSchema, null, 2)}\n\`\`\``);
  });

  it('is read back by extractJson as the schema (what the emulator does)', () => {
    expect(extractJson(text)).toEqual({ ok: true, value: jsonSchema });
  });
});
