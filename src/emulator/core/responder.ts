/**
 * The seeded responder: turns a request (already read by a provider module) into an answer. The same seed
 * parts (custom_id + body) always give the same answer; content faults are applied here, and the answer says
 * which fault really applied. Embedding requests get a vector from `embedText` instead.
 */
import {
  breakSchemaData,
  changeOneWord,
  changeOneWordInData,
  cutJsonText,
  cutObject,
  cutProse,
} from './answer-faults.js';
import type { LineFault } from './fault-decisions.js';
import { countTokens, wrapInFence } from './prompt-schema.js';
import { generateSchemaData } from './schema-data.js';
import { createSeededRandom, hashSeed, type HashPart, type SeededRandom } from './seeded-random.js';
import { isRepairTurn } from './repair-turns.js';
import { buildSentence, buildText, drawWordCount, extractPromptWords, type AnswerLength, type TextLength } from './sentence-builder.js';

export type AnswerTarget =
  /** Plain prose. */
  | { kind: 'text' }
  /** Native structured output: the text is JSON valid against `schema`. */
  | { kind: 'json_schema'; schema: unknown }
  /** OpenAI json_object mode without a schema: some JSON object. */
  | { kind: 'json_object' }
  /** A forced tool call whose input is valid against `schema`. */
  | { kind: 'tool'; name: string; schema: unknown }
  /** A schema given only in the system prompt: prose around a fenced json block. */
  | { kind: 'prompt_schema'; schema: unknown };

export interface AnswerRequest {
  seedParts: HashPart[];
  /** Everything the model reads; its size gives the input token count. */
  promptText: string;
  /** The last user message; its words are mixed into generated text. */
  lastUserText: string;
  target: AnswerTarget;
  maxOutputTokens: number | null;
  fault: LineFault;
  /** How this line is answered if it is a repair turn (core/repair-turns.ts): validly, or schema-invalid again. */
  repairValid: boolean;
  /**
   * True when the provider returns a tool input as an object (Anthropic): it cannot carry malformed JSON, so
   * that fault does not apply. False for OpenAI, whose tool arguments are a JSON string.
   */
  toolInputIsObject: boolean;
}

/** `repair_valid` / `repair_invalid`: a repair turn answered validly / invalidly (instead of a content fault). */
export type AppliedFault = Exclude<LineFault, 'line_error'> | 'max_tokens' | 'repair_valid' | 'repair_invalid';

export interface Answer {
  /** Assistant text; for a tool target the JSON text of the input (arguments string on OpenAI). */
  text: string;
  /** Tool input as an object (tool targets only). */
  toolInput?: unknown;
  refusal: string | null;
  stop: 'end' | 'length' | 'refusal' | 'tool';
  inputTokens: number;
  outputTokens: number;
  applied: AppliedFault;
}

interface RememberedAnswer {
  text: string;
  data?: unknown;
}

const MEMORY_KEYS = 2_000;
const REFUSAL_TEXT = "I'm sorry, but I can't help with that request.";

/**
 * The latest answer per target shape that went out without any fault: the source of near-duplicates. Lives
 * per server; batches run one at a time in creation order, so the sequence it sees is the same every run.
 * It also carries the server's answer-length knob (`answerLength`), which every answer of the server reads.
 */
export class AnswerMemory {
  private readonly answers = new Map<string, RememberedAnswer>();

  /** Unset: one to four sentences per text, as the schema allows. */
  constructor(
    public answerLength?: AnswerLength,
    /** The share of answers whose enum fields take the first value (a position-biased judge). */
    public firstChoiceRate = 0,
  ) {}

  recall(key: string): RememberedAnswer | undefined {
    return this.answers.get(key);
  }

  remember(key: string, answer: RememberedAnswer): void {
    this.answers.delete(key);
    this.answers.set(key, answer);
    if (this.answers.size > MEMORY_KEYS) this.answers.delete(this.answers.keys().next().value as string);
  }
}

function memoryKey(target: AnswerTarget): string {
  return 'schema' in target ? `${target.kind}:${JSON.stringify(target.schema)}` : target.kind;
}

function hasSchema(target: AnswerTarget): target is Extract<AnswerTarget, { schema: unknown }> {
  return 'schema' in target;
}

interface Draft {
  text: string;
  data?: unknown;
  applied: AppliedFault;
}

/** The answer body as JSON text for a target with data, in the target's presentation. */
function present(target: AnswerTarget, data: unknown, intro: string): string {
  if (target.kind === 'prompt_schema') return wrapInFence(intro, JSON.stringify(data, null, 2));
  return JSON.stringify(data);
}

function draftAnswer(request: AnswerRequest, memory: AnswerMemory): Draft {
  const { target, seedParts } = request;
  const random = createSeededRandom(...seedParts, 'answer');
  const promptWords = extractPromptWords(request.lastUserText);
  const intro = `${buildSentence(random, promptWords)} Here is the JSON.`;
  let data: unknown;
  let text: string;
  const { answerLength } = memory;
  const length = (): TextLength => (answerLength ? { words: drawWordCount(random, answerLength) } : {});
  if (target.kind === 'text') {
    text = buildText(random, promptWords, length(), random.int(2, 4));
  } else {
    data = hasSchema(target)
      ? generateSchemaData(target.schema, seedParts, promptWords, answerLength, memory.firstChoiceRate)
      : { answer: buildText(random, promptWords, length(), 2) };
    text = present(target, data, intro);
  }
  const faultRandom = (): SeededRandom => createSeededRandom(...seedParts, 'fault');
  if (request.fault === 'near_duplicate') {
    const earlier = memory.recall(memoryKey(target));
    if (earlier) {
      if (earlier.data === undefined) {
        const changed = changeOneWord(earlier.text, faultRandom());
        if (changed !== undefined) return { text: changed, applied: 'near_duplicate' };
      } else {
        const changed = changeOneWordInData(hasSchema(target) ? target.schema : {}, earlier.data, faultRandom());
        if (changed !== undefined) return { text: present(target, changed, intro), data: changed, applied: 'near_duplicate' };
      }
    }
  }
  if (request.fault === 'schema_invalid' && hasSchema(target)) {
    const broken = breakSchemaData(target.schema, data, faultRandom());
    if (broken !== undefined) return { text: present(target, broken, intro), data: broken, applied: 'schema_invalid' };
  }
  const toolObject = target.kind === 'tool' && request.toolInputIsObject;
  if (request.fault === 'malformed_json' && target.kind !== 'text' && !toolObject) {
    const json = JSON.stringify(data);
    const cut = cutJsonText(json, faultRandom());
    return { text: target.kind === 'prompt_schema' ? wrapInFence(intro, cut) : cut, applied: 'malformed_json' };
  }
  return { text, data, applied: 'none' };
}

export function answerRequest(request: AnswerRequest, memory: AnswerMemory): Answer {
  if (isRepairTurn(request.lastUserText)) return answerRepairTurn(request, memory);
  const inputTokens = countTokens(request.promptText);
  const isTool = request.target.kind === 'tool';
  if (request.fault === 'refusal') {
    return {
      text: REFUSAL_TEXT,
      refusal: REFUSAL_TEXT,
      stop: 'refusal',
      inputTokens,
      outputTokens: countTokens(REFUSAL_TEXT),
      applied: 'refusal',
    };
  }
  const draft = draftAnswer(request, memory);
  let { text, applied } = draft;
  let toolInput = draft.data;
  let stop: Answer['stop'] = isTool ? 'tool' : 'end';
  const cut = (): void => {
    const random = createSeededRandom(...request.seedParts, 'cut');
    stop = 'length';
    if (isTool && request.toolInputIsObject) {
      toolInput = cutObject(toolInput, random);
      text = JSON.stringify(toolInput);
    } else {
      text = request.target.kind === 'text' ? cutProse(text, random) : cutJsonText(text, random);
    }
  };
  if (request.fault === 'truncation' && applied === 'none') {
    cut();
    applied = 'truncation';
  } else if (request.maxOutputTokens !== null && countTokens(text) > request.maxOutputTokens) {
    cut();
    while (countTokens(text) > request.maxOutputTokens && text.length > 1) text = text.slice(0, Math.floor(text.length / 2));
    if (applied === 'none') applied = 'max_tokens';
  }
  // Only answers that reach the client intact are copied later, so every near-duplicate has a visible twin.
  if (applied === 'none') memory.remember(memoryKey(request.target), { text, data: draft.data });
  return {
    text,
    ...(isTool ? { toolInput } : {}),
    refusal: null,
    stop,
    inputTokens,
    outputTokens: countTokens(text),
    applied,
  };
}

/** A repair turn replaces the line's content fault: valid, or schema-invalid again (malformed where no schema applies). */
function answerRepairTurn(request: AnswerRequest, memory: AnswerMemory): Answer {
  const fault: LineFault = request.repairValid ? 'none' : hasSchema(request.target) ? 'schema_invalid' : 'malformed_json';
  const answer = answerRequest({ ...request, lastUserText: '', fault }, memory);
  return { ...answer, applied: answer.applied === 'none' ? 'repair_valid' : 'repair_invalid' };
}

/**
 * The embedding of `text` for OpenAI and Gemini embedding requests. Vectors are hashed bags of words (each
 * word adds ±1 to a seeded dimension, then L2-normalised), so texts that share words have a high cosine
 * similarity: enough for semantic-dedup tests to find planted near-duplicates, and the same text always maps
 * to the same vector.
 */
export function embedText(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    const hash = hashSeed('embedding', word);
    const index = hash % dimensions;
    vector[index] = (vector[index] ?? 0) + ((hash >>> 31) === 1 ? 1 : -1);
  }
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0)) || 1;
  return vector.map((value) => Math.round((value / norm) * 1e6) / 1e6);
}
