import { describe, expect, it } from 'vitest';
import { DATASET_FORMATS } from '../../src/dataset/formats/dataset-formats.js';
import type { OutputFormat } from '../../src/dataset/output-spec.js';
import { createRandom } from '../../bench/random.js';

const user = { role: 'user', content: 'Hi?' };
const assistant = { role: 'assistant', content: 'Hello.' };
const system = { role: 'system', content: 'Be brief.' };

/** Candidates each format's mapRecord can make, valid ones first, then every way they can miss. */
const CANDIDATES: Record<Exclude<OutputFormat, 'raw'>, { valid: Record<string, unknown>[]; invalid: Record<string, unknown>[] }> = {
  'openai-chat': {
    valid: [{ id: 'r1', messages: [user, assistant] }, { id: 'r1', messages: [system, user, assistant] }, { id: 'r1', messages: [assistant] }],
    invalid: [
      { messages: [user, assistant], id: 'r1' }, // keys out of the schema's order: the schema reorders them
      { id: 'r1', messages: [{ content: 'Hi?', role: 'user' }, assistant] },
      { id: '', messages: [user, assistant] },
      { id: 'r1', messages: [user] },
      { id: 'r1', messages: [] },
      { id: 'r1', messages: [user, system, assistant] },
      { id: 'r1', messages: [{ role: 'user', content: ' \n' }, assistant] },
      { id: 'r1', messages: [{ role: 'tool', content: 'x' }, assistant] },
      { id: 'r1', messages: [{ ...user, name: undefined }, assistant] },
      { id: 'r1', messages: [Object.assign(Object.create({ inherited: 1 }), user), assistant] },
      { id: 'r1', messages: [user, assistant], extra: 1 },
      { id: 'r1', messages: 'text' },
    ],
  },
  sharegpt: {
    valid: [{ id: 'r1', conversations: [{ from: 'system', value: 's' }, { from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }] }],
    invalid: [
      { id: 'r1', conversations: [{ from: 'human', value: 'q' }] },
      { id: 'r1', conversations: [{ from: 'human', value: 'q' }, { from: 'system', value: 's' }, { from: 'gpt', value: 'a' }] },
      { id: 'r1', conversations: [{ value: 'a', from: 'gpt' }] },
      { id: 'r1', conversations: [{ from: 'gpt', value: '' }] },
      { id: 'r1', conversations: [{ from: 'assistant', value: 'a' }] },
    ],
  },
  alpaca: {
    valid: [
      { id: 'r1', instruction: 'Do', input: '', output: 'Done' },
      { id: 'r1', instruction: 'Do', input: 'x', output: 'Done', system: 'Be brief.' },
    ],
    invalid: [
      { id: 'r1', instruction: 'Do', input: undefined, output: 'Done' },
      { id: 'r1', instruction: ' ', input: '', output: 'Done' },
      { id: 'r1', instruction: 'Do', input: '', output: 7 },
      { id: 'r1', instruction: 'Do', input: '', output: 'Done', system: undefined },
      { id: 'r1', instruction: 'Do', output: 'Done', input: '' },
      { id: 'r1', instruction: 'Do', input: '', output: 'Done', history: [['a', 'b']] },
    ],
  },
  'prompt-completion': {
    valid: [
      { id: 'r1', prompt: 'Q', completion: 'A' },
      { id: 'r1', prompt: [system, user], completion: [assistant] },
    ],
    invalid: [
      { id: 'r1', prompt: 'Q', completion: ' ' },
      { id: 'r1', prompt: 'Q', completion: [assistant] },
      { id: 'r1', prompt: [user], completion: [user] },
      { id: 'r1', prompt: [], completion: [assistant] },
      { id: 'r1', completion: 'A', prompt: 'Q' },
    ],
  },
  preference: {
    valid: [
      { id: 'r1', prompt: 'Q', chosen: 'good', rejected: 'bad' },
      { id: 'r1', prompt: [user], chosen: [assistant], rejected: [{ role: 'assistant', content: 'Go away.' }] },
    ],
    invalid: [
      { id: 'r1', prompt: 'Q', chosen: 'same', rejected: 'same' },
      { id: 'r1', prompt: [user], chosen: [assistant], rejected: [{ ...assistant }] },
      { id: 'r1', prompt: [user], chosen: [user], rejected: [assistant] },
      { id: 'r1', prompt: 'Q', chosen: [assistant], rejected: 'bad' },
    ],
  },
};

/** What the format's schema returns for the candidate, as JSON, or undefined when it rejects it. */
function schemaJson(format: OutputFormat, candidate: unknown): string | undefined {
  const parsed = DATASET_FORMATS[format].rowSchema.safeParse(candidate);
  return parsed.success ? JSON.stringify(parsed.data) : undefined;
}

describe('acceptsAsIs: a row is written as it is only where the schema would return it unchanged', () => {
  for (const [name, { valid, invalid }] of Object.entries(CANDIDATES)) {
    const format = name as Exclude<OutputFormat, 'raw'>;
    it(`${format}: takes the rows its mapRecord makes, and leaves every other candidate to the schema`, () => {
      const accepts = DATASET_FORMATS[format].acceptsAsIs!;
      for (const candidate of valid) {
        expect(accepts(candidate), JSON.stringify(candidate)).toBe(true);
        expect(schemaJson(format, candidate)).toBe(JSON.stringify(candidate));
      }
      for (const candidate of invalid) expect(accepts(candidate), JSON.stringify(candidate)).toBe(false);
    });
  }

  it('never takes a candidate the schema rejects or changes, over random mutations of valid rows', () => {
    const random = createRandom(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const values: unknown[] = ['', ' ', 'x', 'user', 'assistant', 'system', 'gpt', 'human', 0, null, undefined, [], [user], [assistant], [system, assistant], {}];
    for (const [name, { valid, invalid }] of Object.entries(CANDIDATES)) {
      const format = name as OutputFormat;
      const accepts = DATASET_FORMATS[format].acceptsAsIs!;
      for (let trial = 0; trial < 2000; trial++) {
        const candidate = structuredClone(pick([...valid, ...invalid])) as Record<string, unknown>;
        const keys = Object.keys(candidate);
        const key = random() < 0.1 ? 'extra' : pick(keys);
        const value = candidate[key];
        if (Array.isArray(value) && value.length > 0 && random() < 0.5) {
          const item = value[Math.floor(random() * value.length)] as Record<string, unknown>;
          item[pick(Object.keys(item))] = pick(values);
        } else {
          candidate[key] = pick(values);
        }
        if (accepts(candidate)) expect(schemaJson(format, candidate), JSON.stringify(candidate)).toBe(JSON.stringify(candidate));
      }
    }
  });
});
