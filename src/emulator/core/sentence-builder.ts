/**
 * Readable filler text. Sentences follow a handful of grammatical templates over the vocabulary, and about a
 * third of the nouns come from the request's own prompt, so answers read as if they were about the prompt and
 * answers to different prompts differ in wording (which near-duplicate detection downstream relies on).
 */
import type { SeededRandom } from './seeded-random.js';
import { ADJECTIVES, ADVERBS, DETERMINERS, NOUNS, OPENERS, PREPOSITIONS, STOP_WORDS, VERBS } from './vocabulary.js';

/** Prompt words are used as nouns, so words the vocabulary knows to be something else are left out. */
const NOT_NOUNS: ReadonlySet<string> = new Set([...ADJECTIVES, ...ADVERBS, ...DETERMINERS, ...PREPOSITIONS, ...VERBS]);

const PROMPT_WORD_SHARE = 0.35;
const MAX_PROMPT_WORDS = 64;

/**
 * Distinct lowercase words of 3+ letters from a prompt that can stand as nouns (stop words, adverbs in -ly
 * and the vocabulary's non-nouns removed), in first-seen order.
 */
export function extractPromptWords(text: string): string[] {
  const words = new Set<string>();
  for (const match of text.toLowerCase().matchAll(/[a-z][a-z'-]{2,}/g)) {
    const word = match[0].replace(/['-]+$/, '');
    if (word.length >= 3 && !STOP_WORDS.has(word) && !NOT_NOUNS.has(word) && !word.endsWith('ly')) words.add(word);
    if (words.size >= MAX_PROMPT_WORDS) break;
  }
  return [...words];
}

export function buildSentence(random: SeededRandom, promptWords: readonly string[]): string {
  const noun = (): string =>
    promptWords.length > 0 && random.chance(PROMPT_WORD_SHARE) ? random.pick(promptWords) : random.pick(NOUNS);
  const det = (): string => random.pick(DETERMINERS);
  const adj = (): string => random.pick(ADJECTIVES);
  const verb = (): string => random.pick(VERBS);
  const prep = (): string => random.pick(PREPOSITIONS);
  const templates: (() => string)[] = [
    () => `${det()} ${adj()} ${noun()} ${verb()} ${det()} ${noun()} ${prep()} the ${noun()}`,
    () => `${det()} ${noun()} ${random.pick(ADVERBS)} ${verb()} the ${adj()} ${noun()}`,
    () => `when the ${noun()} ${verb()} ${det()} ${noun()}, the ${adj()} ${noun()} ${verb()} ${prep()} ${det()} ${noun()}`,
    () => `${random.pick(OPENERS).toLowerCase()}, ${det()} ${noun()} ${verb()} ${det()} ${adj()} ${noun()}`,
    () => `${det()} ${adj()} ${noun()} ${verb()} ${det()} ${noun()} and ${verb()} ${det()} ${adj()} ${noun()}`,
    () => `${det()} ${noun()} ${prep()} the ${noun()} ${random.pick(ADVERBS)} ${verb()} ${det()} ${noun()}`,
  ];
  const words = random.pick(templates)().replace(/\b([Aa]) ([aeiou])/g, '$1n $2');
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}.`;
}

export interface TextLength {
  minLength?: number;
  maxLength?: number;
  /** Exactly this many words (before minLength/maxLength apply): the answer-length knob. */
  words?: number;
}

/** Word counts drawn from a normal distribution: the emulator's answer-length knob. */
export interface AnswerLength {
  /** Mean words per free-text answer or string field. */
  meanWords: number;
  /** Standard deviation of the words (0: always `meanWords`). */
  spreadWords: number;
}

/**
 * A word count from `length` (Box-Muller, at least 1), so a seeded emulator answers with a known
 * length distribution: what a calibration of output-token estimates is measured against.
 */
export function drawWordCount(random: SeededRandom, length: AnswerLength): number {
  const u = Math.max(random.next(), Number.EPSILON);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
  return Math.max(1, Math.round(length.meanWords + length.spreadWords * z));
}

/** Sentences grown and cut to exactly `words` words, ending with a full stop. */
function textOfWords(random: SeededRandom, promptWords: readonly string[], words: number): string {
  const parts: string[] = [];
  while (parts.length < words) parts.push(...buildSentence(random, promptWords).split(' '));
  return `${parts.slice(0, words).join(' ').replace(/[.,]$/, '')}.`;
}

/**
 * One to `sentences` sentences, grown until `minLength` characters and cut back to `maxLength` at a word
 * boundary (or mid-word when the limit is shorter than one word). Lengths count UTF-16 code units, as
 * JSON Schema validators in JS do.
 */
export function buildText(
  random: SeededRandom,
  promptWords: readonly string[],
  length: TextLength = {},
  sentences = random.int(1, 2),
): string {
  const minLength = Math.max(0, length.minLength ?? 0);
  const maxLength = length.maxLength;
  if (maxLength !== undefined && maxLength <= 0) return '';
  let text = length.words !== undefined ? textOfWords(random, promptWords, length.words) : buildSentence(random, promptWords);
  for (let count = length.words !== undefined ? sentences : 1; count < sentences || text.length < minLength; count++) {
    text = `${text} ${buildSentence(random, promptWords)}`;
  }
  if (maxLength === undefined || text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength + 1);
  const space = cut.lastIndexOf(' ');
  const trimmed = space >= minLength && space > 0 ? cut.slice(0, space) : text.slice(0, maxLength);
  return trimmed.replace(/[\s,]+$/, '').padEnd(Math.min(minLength, maxLength), 'x');
}
