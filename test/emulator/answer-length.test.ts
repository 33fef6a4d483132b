import { describe, expect, it } from 'vitest';
import { parseAnswerWords, resolveAnswerLength } from '../../src/emulator/core/emulator-options.js';
import { answerRequest, AnswerMemory, type AnswerTarget } from '../../src/emulator/core/responder.js';

const SCHEMA_TARGET: AnswerTarget = { kind: 'json_schema', schema: { type: 'object', properties: { summary: { type: 'string' } }, required: ['summary'] } };

function words(memory: AnswerMemory, target: AnswerTarget, seed: number): number {
  const answer = answerRequest(
    { seedParts: ['length-test', seed], promptText: 'Summarise the report about the river.', lastUserText: 'Summarise the report about the river.', target, maxOutputTokens: null, fault: 'none', toolInputIsObject: false, repairValid: true },
    memory,
  );
  const text = target.kind === 'text' ? answer.text : (JSON.parse(answer.text) as { summary: string }).summary;
  return text.split(' ').length;
}

describe('emulator answer length (mean and spread of words, seeded)', () => {
  it.each([['a string field', SCHEMA_TARGET], ['free text', { kind: 'text' } as AnswerTarget]])('%s follows the configured distribution', (_name, target) => {
    const memory = new AnswerMemory({ meanWords: 30, spreadWords: 5 });
    const counts = Array.from({ length: 400 }, (_, seed) => words(memory, target, seed));
    const mean = counts.reduce((sum, count) => sum + count, 0) / counts.length;
    const sd = Math.sqrt(counts.reduce((sum, count) => sum + (count - mean) ** 2, 0) / (counts.length - 1));
    expect(mean).toBeGreaterThan(29);
    expect(mean).toBeLessThan(31);
    expect(sd).toBeGreaterThan(4);
    expect(sd).toBeLessThan(6);
    // Seeded: the same request gets the same length again.
    expect(words(memory, target, 7)).toBe(counts[7]);
  });

  it('a spread of 0 gives exactly the mean', () => {
    const memory = new AnswerMemory({ meanWords: 12, spreadWords: 0 });
    expect(new Set(Array.from({ length: 20 }, (_, seed) => words(memory, SCHEMA_TARGET, seed)))).toEqual(new Set([12]));
  });

  it('reads "mean[,spread]" from the flag or SYNTHFORGE_EMULATOR_ANSWER_WORDS and refuses anything else (exit 2)', () => {
    expect(parseAnswerWords('25,8', '--answer-words')).toEqual({ meanWords: 25, spreadWords: 8 });
    expect(resolveAnswerLength(undefined, { SYNTHFORGE_EMULATOR_ANSWER_WORDS: '40' })).toEqual({ meanWords: 40, spreadWords: 0 });
    expect(resolveAnswerLength(undefined, {})).toBeUndefined();
    expect(() => parseAnswerWords('many', '--answer-words')).toThrow(/--answer-words expects "mean\[,spread\]" in words \(e\.g\. 25,8\), got "many"/);
    expect(() => parseAnswerWords('0', 'SYNTHFORGE_EMULATOR_ANSWER_WORDS')).toThrow(expect.objectContaining({ code: 'emulator_options_invalid', exitCode: 2 }));
  });
});
