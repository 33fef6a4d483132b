import { describe, expect, it } from 'vitest';
import * as cl100k from 'gpt-tokenizer/encoding/cl100k_base';
import * as o200k from 'gpt-tokenizer/encoding/o200k_base';
import type { CostTraits } from '../../src/cost/cost-traits.js';
import type { ChatMessage, ModelRef } from '../../src/domain.js';
import { CHARACTERS_PER_TOKEN, lengthTokenEstimator, loadTokenEstimator, type InputTokenOptions, REPLY_PRIMING_TOKENS, TOKENS_PER_MESSAGE } from '../../src/cost/estimate-tokens.js';
import { ANTHROPIC_COST_TRAITS } from '../../src/providers/anthropic/anthropic-capabilities.js';
import { GEMINI_COST_TRAITS } from '../../src/providers/gemini/gemini-capabilities.js';
import { OPENAI_COMPATIBLE_COST_TRAITS } from '../../src/providers/openai-compatible/openai-compatible-capabilities.js';
import { OPENAI_COST_TRAITS } from '../../src/providers/openai/openai-capabilities.js';

const GPT_4O = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const HAIKU = { provider: 'anthropic', model: 'claude-haiku-4-5' } as const;

const chat: ChatMessage[] = [
  { role: 'system', content: 'You write realistic customer-support questions.' },
  { role: 'user', content: 'Write one question that a network engineer might ask about their mesh system.' },
];

describe("the providers' CostTraits", () => {
  it.each([
    ['gpt-4o-mini', 'o200k_base', true],
    ['gpt-4.1-nano', 'o200k_base', true],
    ['gpt-5', 'o200k_base', true],
    ['o3', 'o200k_base', true],
    ['o4-mini-2025-04-16', 'o200k_base', true],
    ['gpt-4-turbo', 'cl100k_base', true],
    ['text-embedding-3-small', 'cl100k_base', true],
    ['some-new-model', 'cl100k_base', false],
  ] as const)('openai/%s → %s (exact: %s)', (model, encoding, exact) => {
    expect(OPENAI_COST_TRAITS.tokenizer(model)).toEqual({ encoding, correctionFactor: 1, exact });
  });

  it('uses o200k with a correction factor for the other providers', () => {
    expect(ANTHROPIC_COST_TRAITS.tokenizer(HAIKU.model)).toEqual({ encoding: 'o200k_base', correctionFactor: 1.2, exact: false });
    expect(GEMINI_COST_TRAITS.tokenizer('gemini-2.5-flash')).toMatchObject({ correctionFactor: 1.1, exact: false });
    expect(OPENAI_COMPATIBLE_COST_TRAITS.tokenizer('llama3')).toMatchObject({ correctionFactor: 1.1, exact: false });
  });

  it('adds the framing each provider wraps around a schema', () => {
    expect(OPENAI_COST_TRAITS.schemaFramingTokens).toBe(8);
    expect(ANTHROPIC_COST_TRAITS.schemaFramingTokens).toBe(313);
    expect(GEMINI_COST_TRAITS.schemaFramingTokens).toBe(8);
    expect(OPENAI_COMPATIBLE_COST_TRAITS.schemaFramingTokens).toBe(8);
  });
});

/** A chat's input tokens as a step's estimator counts them. */
async function estimateInputTokens(messages: readonly ChatMessage[], model: ModelRef, traits: CostTraits, options?: InputTokenOptions): Promise<number> {
  return (await loadTokenEstimator(model, traits)).inputTokens(messages, options);
}

describe('inputTokens of a chat', () => {
  it('counts "hello world" as gpt-tokenizer does, with the chat overhead', async () => {
    expect(o200k.countTokens('hello world')).toBe(2);
    const messages: ChatMessage[] = [{ role: 'user', content: 'hello world' }];
    expect(await estimateInputTokens(messages, GPT_4O, OPENAI_COST_TRAITS)).toBe(9);
    expect(await estimateInputTokens(messages, GPT_4O, OPENAI_COST_TRAITS)).toBe(o200k.encodeChat(messages, 'gpt-4o').length);
  });

  it('matches encodeChat on a system + user chat', async () => {
    expect(await estimateInputTokens(chat, GPT_4O, OPENAI_COST_TRAITS)).toBe(o200k.encodeChat(chat, 'gpt-4o').length);
  });

  it('applies the per-message formula with cl100k for older models', async () => {
    const expected =
      REPLY_PRIMING_TOKENS + chat.reduce((sum, message) => sum + TOKENS_PER_MESSAGE + cl100k.countTokens(message.role) + cl100k.countTokens(message.content), 0);
    expect(await estimateInputTokens(chat, { provider: 'openai', model: 'gpt-4-turbo' }, OPENAI_COST_TRAITS)).toBe(expected);
  });

  it('adds the schema JSON and its framing', async () => {
    const schema = { type: 'object', properties: { question: { type: 'string', minLength: 20 } }, required: ['question'] };
    const plain = await estimateInputTokens(chat, GPT_4O, OPENAI_COST_TRAITS);
    const withSchema = await estimateInputTokens(chat, GPT_4O, OPENAI_COST_TRAITS, { schema });
    expect(withSchema - plain).toBe(o200k.countTokens(JSON.stringify(schema)) + OPENAI_COST_TRAITS.schemaFramingTokens);
  });

  it('scales the o200k count for Anthropic and includes the tool-use prompt', async () => {
    const raw = o200k.encodeChat(chat, 'gpt-4o').length;
    expect(await estimateInputTokens(chat, HAIKU, ANTHROPIC_COST_TRAITS)).toBe(Math.ceil(raw * 1.2));
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(await estimateInputTokens(chat, HAIKU, ANTHROPIC_COST_TRAITS, { schema })).toBe(
      Math.ceil((raw + o200k.countTokens(JSON.stringify(schema)) + ANTHROPIC_COST_TRAITS.schemaFramingTokens) * 1.2),
    );
  });

  it('counts special-token strings in user text as text instead of throwing', async () => {
    const messages: ChatMessage[] = [{ role: 'user', content: 'a <|endoftext|> b' }];
    expect(await estimateInputTokens(messages, GPT_4O, OPENAI_COST_TRAITS)).toBeGreaterThan(9);
  });

  it('an empty chat costs the reply priming only', async () => {
    expect(await estimateInputTokens([], GPT_4O, OPENAI_COST_TRAITS)).toBe(REPLY_PRIMING_TOKENS);
  });
});

describe('loadTokenEstimator', () => {
  it('gives the same counts synchronously, memoised or not', async () => {
    const estimator = await loadTokenEstimator(GPT_4O, OPENAI_COST_TRAITS);
    const first = estimator.inputTokens(chat);
    expect(estimator.inputTokens(chat)).toBe(first);
    expect(first).toBe(await estimateInputTokens(chat, GPT_4O, OPENAI_COST_TRAITS));
    expect(estimator.tokenizer.exact).toBe(true);
  });

  it('counts plain text for embeddings', async () => {
    const embedding = await loadTokenEstimator({ provider: 'openai', model: 'text-embedding-3-small' }, OPENAI_COST_TRAITS);
    expect(embedding.countText('hello world')).toBe(cl100k.countTokens('hello world'));
    const gemini = await loadTokenEstimator({ provider: 'gemini', model: 'gemini-embedding-001' }, GEMINI_COST_TRAITS);
    const text = 'A longer sentence about routers, modems and mesh systems.';
    expect(gemini.countText(text)).toBe(Math.ceil(o200k.countTokens(text) * 1.1));
  });

  it('memoises a schema per object without mixing up different schemas', async () => {
    const estimator = await loadTokenEstimator(GPT_4O, OPENAI_COST_TRAITS);
    const small = { type: 'string' };
    const large = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' }, c: { type: 'boolean' } } };
    const withSmall = estimator.inputTokens(chat, { schema: small });
    const withLarge = estimator.inputTokens(chat, { schema: large });
    expect(withLarge).toBeGreaterThan(withSmall);
    expect(estimator.inputTokens(chat, { schema: small })).toBe(withSmall);
  });
});

describe('lengthTokenEstimator', () => {
  it('counts ceil(characters / 4) per text with the same chat framing as the counted estimate', () => {
    expect(CHARACTERS_PER_TOKEN).toBe(4);
    const estimator = lengthTokenEstimator(GPT_4O, OPENAI_COST_TRAITS);
    const messages: ChatMessage[] = [{ role: 'user', content: 'hello world' }];
    // 3 priming + 3 per message + "user" (1) + "hello world" (11 characters: 3)
    expect(estimator.inputTokens(messages)).toBe(REPLY_PRIMING_TOKENS + TOKENS_PER_MESSAGE + 1 + 3);
    expect(estimator.countText('a'.repeat(9))).toBe(3);
    expect(estimator.tokenizer).toEqual(OPENAI_COST_TRAITS.tokenizer(GPT_4O.model));
  });

  it("applies the provider's correction factor and schema framing", () => {
    const estimator = lengthTokenEstimator(HAIKU, ANTHROPIC_COST_TRAITS);
    const schema = { type: 'string' };
    const plain = REPLY_PRIMING_TOKENS + TOKENS_PER_MESSAGE * 2 + 2 + Math.ceil(chat[0]!.content.length / 4) + 1 + Math.ceil(chat[1]!.content.length / 4);
    expect(estimator.inputTokens(chat)).toBe(Math.ceil(plain * 1.2));
    const framed = plain + Math.ceil(JSON.stringify(schema).length / 4) + ANTHROPIC_COST_TRAITS.schemaFramingTokens;
    expect(estimator.inputTokens(chat, { schema })).toBe(Math.ceil(framed * 1.2));
  });

  it('stays within a factor of two of the counted estimate on English prose', async () => {
    const counted = (await loadTokenEstimator(GPT_4O, OPENAI_COST_TRAITS)).inputTokens(chat);
    const guessed = lengthTokenEstimator(GPT_4O, OPENAI_COST_TRAITS).inputTokens(chat);
    expect(guessed / counted).toBeGreaterThan(0.5);
    expect(guessed / counted).toBeLessThan(2);
  });
});
