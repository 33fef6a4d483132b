/**
 * The transformations behind content faults: cut JSON, schema-invalid data, and one-word edits for
 * near-duplicates. Each returns undefined when it cannot produce the promised defect (so the emulator never
 * counts a fault it did not really inject).
 */
import { checkSchemaData, isSchemaNode, preparedSchemaOf } from './schema-data.js';
import type { SeededRandom } from './seeded-random.js';
import { NOUNS } from './vocabulary.js';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A prefix of `text` (40..80% of it) that is not valid JSON. */
export function cutJsonText(text: string, random: SeededRandom): string {
  const end = Math.max(1, Math.floor(text.length * (0.4 + 0.4 * random.next())));
  const cut = text.slice(0, Math.min(end, Math.max(1, text.length - 1)));
  return parses(cut) ? `${cut}{"` : cut;
}

/** A prefix of prose cut mid-sentence at a word boundary. */
export function cutProse(text: string, random: SeededRandom): string {
  const end = Math.max(1, Math.floor(text.length * (0.4 + 0.4 * random.next())));
  const space = text.lastIndexOf(' ', end);
  return text.slice(0, space > 0 ? space : end);
}

/** The first half of an object's keys (the shape a tool input has when generation stopped early). */
export function cutObject(value: unknown, random: SeededRandom): unknown {
  if (!isSchemaNode(value)) return {};
  const entries = Object.entries(value);
  return Object.fromEntries(entries.slice(0, Math.floor(entries.length * random.next() * 0.5)));
}

const WRONG_TYPE_VALUES: readonly unknown[] = [12345, 'not a valid value', true, null, [], {}];

/** Data that violates `schema`: a required key dropped, or a value of the wrong type. */
export function breakSchemaData(schema: unknown, data: unknown, random: SeededRandom): unknown {
  const { prepared } = preparedSchemaOf(schema);
  const candidates: unknown[] = [];
  if (isSchemaNode(data)) {
    const required = Array.isArray(prepared.required) ? prepared.required.filter((key) => typeof key === 'string') : [];
    if (required.length > 0) {
      const key = random.pick(required as string[]);
      const { [key]: _dropped, ...rest } = data;
      candidates.push(rest);
    }
    for (const key of Object.keys(data)) {
      for (const wrong of WRONG_TYPE_VALUES) candidates.push({ ...data, [key]: wrong });
    }
  }
  candidates.push(...WRONG_TYPE_VALUES);
  return candidates.find((candidate) => checkSchemaData(schema, candidate) === false);
}

const WORD = /[A-Za-z]{3,}/g;

/** `text` with one word of 3+ letters replaced by a different vocabulary word. */
export function changeOneWord(text: string, random: SeededRandom): string | undefined {
  const matches = [...text.matchAll(WORD)];
  if (matches.length === 0) return undefined;
  const match = random.pick(matches);
  const index = match.index ?? 0;
  let replacement = random.pick(NOUNS);
  if (replacement === match[0].toLowerCase()) replacement = `${replacement}s`;
  return `${text.slice(0, index)}${replacement}${text.slice(index + match[0].length)}`;
}

/** A copy of schema data whose longest multi-word string has one word changed, still valid against `schema`. */
export function changeOneWordInData(schema: unknown, data: unknown, random: SeededRandom): unknown {
  const strings: { holder: Record<string, unknown> | unknown[]; key: string | number; text: string }[] = [];
  const copy: unknown = JSON.parse(JSON.stringify(data));
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        if (typeof item === 'string' && item.includes(' ')) strings.push({ holder: value, key: index, text: item });
        else collect(item);
      });
    } else if (isSchemaNode(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (typeof item === 'string' && item.includes(' ')) strings.push({ holder: value, key, text: item });
        else collect(item);
      }
    }
  };
  collect(copy);
  strings.sort((left, right) => right.text.length - left.text.length);
  const target = strings[0];
  if (!target) return undefined;
  const changed = changeOneWord(target.text, random);
  if (changed === undefined) return undefined;
  (target.holder as Record<string | number, unknown>)[target.key] = changed;
  return checkSchemaData(schema, copy) === false ? undefined : copy;
}
