/** Repair turns as the emulator answers them: valid at `repairSuccessRate`, schema-invalid otherwise, counted apart from first-answer faults. */
import { describe, expect, it } from 'vitest';
import { emulatorCommand } from '../../src/cli/commands/emulator.js';
import { mergeFaultOptions, DEFAULT_FAULTS } from '../../src/emulator/core/emulator-options.js';
import { isRepairTurn, REPAIR_RATE_VARIABLE, repairRateFromEnv } from '../../src/emulator/core/repair-turns.js';
import { AnswerMemory, answerRequest, type AnswerRequest } from '../../src/emulator/core/responder.js';
import { checkSchemaData } from '../../src/emulator/core/schema-data.js';
import { UsageError } from '../../src/errors.js';

const SCHEMA = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };
const REPAIR = 'Your answer above does not satisfy the required JSON schema.\n- `/answer`: expected string, got null\n\nReply with the corrected JSON only.';

function request(lastUserText: string, repairValid: boolean, fault: AnswerRequest['fault'] = 'none'): AnswerRequest {
  return { seedParts: ['line-1'], promptText: `Answer about tea\n${lastUserText}`, lastUserText, target: { kind: 'json_schema', schema: SCHEMA }, maxOutputTokens: null, fault, repairValid, toolInputIsObject: false };
}

describe('repair turns in the emulator', () => {
  it('are recognised by a last user turn asking for the corrected JSON', () => {
    expect(isRepairTurn(REPAIR)).toBe(true);
    expect(isRepairTurn('Answer about tea')).toBe(false);
  });

  it('replace the line fault: answered validly or schema-invalid again, by the decision passed in', () => {
    const valid = answerRequest(request(REPAIR, true, 'malformed_json'), new AnswerMemory());
    expect(valid.applied).toBe('repair_valid');
    expect(checkSchemaData(SCHEMA, JSON.parse(valid.text))).toBe(true);
    const invalid = answerRequest(request(REPAIR, false), new AnswerMemory());
    expect(invalid.applied).toBe('repair_invalid');
    expect(checkSchemaData(SCHEMA, JSON.parse(invalid.text))).toBe(false);
    // A request that is not a repair turn keeps its own fault.
    expect(answerRequest(request('Answer about tea', false, 'malformed_json'), new AnswerMemory()).applied).toBe('malformed_json');
  });

  it('take their rate from the options, the environment or the flag, and refuse a rate outside [0, 1]', async () => {
    expect(DEFAULT_FAULTS.repairSuccessRate).toBe(1);
    expect(() => mergeFaultOptions(DEFAULT_FAULTS, { repairSuccessRate: 1.5 })).toThrow(/repairSuccessRate must be in \[0, 1\]/);
    expect(repairRateFromEnv({ [REPAIR_RATE_VARIABLE]: '0.8' })).toEqual({ repairSuccessRate: 0.8 });
    expect(repairRateFromEnv({})).toEqual({});
    expect(() => repairRateFromEnv({ [REPAIR_RATE_VARIABLE]: 'most' })).toThrow(UsageError);
    expect(() => repairRateFromEnv({ [REPAIR_RATE_VARIABLE]: 'most' })).toThrow(REPAIR_RATE_VARIABLE);
    const server = await emulatorCommand({ port: 0, config: '{"faults": {"seed": 3}}', repairSuccessRate: 0.25 });
    try {
      const reply = await fetch(`${server.url}/_emulator/config`, { method: 'POST', body: '{}' });
      expect(((await reply.json()) as { faults: unknown }).faults).toMatchObject({ repairSuccessRate: 0.25, seed: 3 });
    } finally {
      await server.close();
    }
  });
});
