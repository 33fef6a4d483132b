import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import {
  anthropicRequest,
  batchLine,
  chatBody,
  readOpenAIFile,
  runAnthropicBatch,
  runOpenAIBatch,
  useEmulators,
} from './emulator-harness.js';

const start = useEmulators();

async function openAIAnswers(lines: string[], seed = 0): Promise<Map<string, string>> {
  const harness = await start({ faults: { seed } });
  const batch = await runOpenAIBatch(harness, lines);
  return new Map(
    (await readOpenAIFile(harness.openai, batch.output_file_id)).map((line) => [
      line.custom_id,
      (line.response?.body as OpenAI.ChatCompletion).choices[0]?.message.content ?? '',
    ]),
  );
}

function words(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[a-z]+/g) ?? []);
}

function jaccard(left: Set<string>, right: Set<string>): number {
  const shared = [...left].filter((word) => right.has(word)).length;
  return shared / (left.size + right.size - shared);
}

describe('the seeded responder', () => {
  it('gives the same request the same answer on two separate emulator instances', async () => {
    const lines = Array.from({ length: 10 }, (_, index) => batchLine(`rec-${index}-s0`, chatBody(index)));
    const first = await openAIAnswers(lines);
    const second = await openAIAnswers(lines, 99);
    expect(first.size).toBe(10);
    expect(second).toEqual(first);

    const requests = ['a-1', 'a-2', 'a-3'].map((id) => anthropicRequest(id));
    const texts = async () => {
      const { results } = await runAnthropicBatch(await start(), requests);
      return new Map(results.map((line) => [line.custom_id, JSON.stringify((line.result as Anthropic.Messages.Batches.MessageBatchSucceededResult).message)]));
    };
    expect(await texts()).toEqual(await texts());
  });

  it('varies answers across custom_ids of the same prompt, in wording and not just in one token', async () => {
    const body = chatBody(7);
    const answers = [...(await openAIAnswers(Array.from({ length: 30 }, (_, index) => batchLine(`rec-7-s${index}`, body)))).values()];
    const questions = answers.map((answer) => (JSON.parse(answer) as { question: string }).question);
    expect(new Set(questions).size).toBe(30);
    let total = 0;
    let pairs = 0;
    for (let left = 0; left < questions.length; left++) {
      for (let right = left + 1; right < questions.length; right++) {
        total += jaccard(words(questions[left] ?? ''), words(questions[right] ?? ''));
        pairs++;
      }
    }
    expect(total / pairs).toBeLessThan(0.35);
  });

  it('writes readable sentences that borrow words from the last user message', async () => {
    const body = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Explain thermostat calibration for greenhouse irrigation controllers.' }],
    };
    const answers = [...(await openAIAnswers(Array.from({ length: 10 }, (_, index) => batchLine(`t-${index}`, body)))).values()];
    const promptWords = ['thermostat', 'calibration', 'greenhouse', 'irrigation', 'controllers'];
    const borrowed = answers.filter((answer) => promptWords.some((word) => answer.toLowerCase().includes(word)));
    expect(borrowed.length).toBeGreaterThanOrEqual(8);
    for (const answer of answers) {
      expect(answer).toMatch(/^[A-Z][^]*\.$/);
      expect(answer.split(' ').length).toBeGreaterThan(10);
    }
  });

  it('reports token usage of about 1.3 tokens per word, as integers', async () => {
    const harness = await start();
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'one two three four five six seven eight nine ten' }] };
    const batch = await runOpenAIBatch(harness, [batchLine('u', body)]);
    const [line] = await readOpenAIFile(harness.openai, batch.output_file_id);
    const completion = line?.response?.body as OpenAI.ChatCompletion;
    expect(completion.usage?.prompt_tokens).toBe(13);
    const outputWords = completion.choices[0]?.message.content?.match(/[A-Za-z0-9]+/g)?.length ?? 0;
    expect(completion.usage?.completion_tokens).toBe(Math.round(outputWords * 1.3));
    expect(batch.usage).toMatchObject({ input_tokens: 13, output_tokens: completion.usage?.completion_tokens });
  });
});
