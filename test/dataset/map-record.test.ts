import { describe, expect, it } from 'vitest';
import { DATASET_FORMATS } from '../../src/dataset/formats/dataset-formats.js';
import { mapRecordToRow } from '../../src/dataset/map-record.js';
import type { OutputFormat, OutputSpecInput } from '../../src/dataset/output-spec.js';
import { CHAT, qaRecords, record, spec, templatesOf } from './fixtures.js';

const [qa] = qaRecords(1);

function map(output: OutputSpecInput, source = qa!) {
  const parsed = spec(output);
  return mapRecordToRow(parsed.format, source, templatesOf(parsed));
}

function expectValid(format: OutputFormat, row: unknown): void {
  expect(DATASET_FORMATS[format].rowSchema.safeParse(row).success).toBe(true);
}

describe('mapRecordToRow, one format at a time', () => {
  it('raw keeps every record field after the id', () => {
    const mapped = map({ format: 'raw' });
    expect(mapped).toEqual({ ok: true, row: { id: 's0-000000', ...qa!.fields } });
    if (mapped.ok) expectValid('raw', mapped.row);
  });

  it('raw with a field map writes only the templated columns', () => {
    const mapped = map({ format: 'raw', fields: { q: '{{ question }}', topic: '{{ topic | upper }}' } });
    expect(mapped).toEqual({ ok: true, row: { id: 's0-000000', q: qa!.fields.question, topic: 'WIFI' } });
  });

  it('raw keeps a seed column named id under another name when it differs from the record id', () => {
    const mapped = map({ format: 'raw' }, record(3, { id: 'TICKET-9', text: 'x' }));
    expect(mapped).toEqual({ ok: true, row: { id: 's0-000003', fields_id: 'TICKET-9', text: 'x' } });
  });

  it('raw rejects values that do not survive JSON', () => {
    const mapped = map({ format: 'raw' }, record(1, { when: new Date(0), n: Number.NaN }));
    expect(mapped.ok).toBe(false);
    if (!mapped.ok) expect(mapped.problems.join('\n')).toMatch(/when: a Date is not JSON data/);
  });

  it('openai-chat renders output.messages', () => {
    const mapped = map(CHAT);
    expect(mapped.ok && mapped.row).toEqual({
      id: 's0-000000',
      messages: [
        { role: 'system', content: 'You are a support agent.' },
        { role: 'user', content: qa!.fields.question },
        { role: 'assistant', content: qa!.fields.answer },
      ],
    });
    if (mapped.ok) expectValid('openai-chat', mapped.row);
  });

  it('openai-chat without templates takes a messages field, and rejects a conversation with no assistant turn', () => {
    const good = map({ format: 'openai-chat' }, record(1, { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] }));
    expect(good.ok).toBe(true);
    const bad = map({ format: 'openai-chat' }, record(2, { messages: [{ role: 'user', content: 'hi' }] }));
    expect(bad).toEqual({ ok: false, problems: ['messages: a conversation needs at least one assistant message'] });
  });

  it('openai-chat reports a template that renders empty content', () => {
    const mapped = map(CHAT, record(4, { question: 'q?', answer: '   ' }));
    expect(mapped).toEqual({ ok: false, problems: ['messages[2].content: message content is empty'] });
  });

  it('reports a template that names a missing field instead of throwing', () => {
    const mapped = map(CHAT, record(5, { question: 'only a question' }));
    expect(mapped.ok).toBe(false);
    if (!mapped.ok) expect(mapped.problems[0]).toMatch(/"answer" is not a field of record s0-000005/);
  });

  it('sharegpt maps roles to from/value', () => {
    const mapped = map({ ...CHAT, format: 'sharegpt' });
    expect(mapped.ok && mapped.row).toEqual({
      id: 's0-000000',
      conversations: [
        { from: 'system', value: 'You are a support agent.' },
        { from: 'human', value: qa!.fields.question },
        { from: 'gpt', value: qa!.fields.answer },
      ],
    });
    if (mapped.ok) expectValid('sharegpt', mapped.row);
  });

  it('sharegpt without templates converts a messages field', () => {
    const mapped = map({ format: 'sharegpt' }, record(1, { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'yo' }] }));
    expect(mapped.ok && mapped.row).toEqual({ id: 's0-000001', conversations: [{ from: 'human', value: 'hi' }, { from: 'gpt', value: 'yo' }] });
  });

  it('alpaca from a field map, with input defaulting to empty', () => {
    const mapped = map({ format: 'alpaca', fields: { instruction: '{{ question }}', output: '{{ answer }}' } });
    expect(mapped.ok && mapped.row).toEqual({ id: 's0-000000', instruction: qa!.fields.question, input: '', output: qa!.fields.answer });
    if (mapped.ok) expectValid('alpaca', mapped.row);
  });

  it('alpaca from same-named record fields, and reports a missing output', () => {
    expect(map({ format: 'alpaca' }, record(1, { instruction: 'Do x', input: 'y', output: 'z', system: 'S' }))).toEqual({
      ok: true,
      row: { id: 's0-000001', instruction: 'Do x', input: 'y', output: 'z', system: 'S' },
    });
    const missing = map({ format: 'alpaca' }, record(2, { instruction: 'Do x' }));
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.problems[0]).toMatch(/^output: /);
  });

  it('prompt-completion, standard strings', () => {
    const mapped = map({ format: 'prompt-completion', fields: { prompt: '{{ question }}', completion: '{{ answer }}' } });
    expect(mapped.ok && mapped.row).toEqual({ id: 's0-000000', prompt: qa!.fields.question, completion: qa!.fields.answer });
    if (mapped.ok) expectValid('prompt-completion', mapped.row);
  });

  it('prompt-completion, conversational: the last assistant message is the completion', () => {
    const mapped = map({ ...CHAT, format: 'prompt-completion' });
    expect(mapped.ok && mapped.row).toMatchObject({
      prompt: [{ role: 'system' }, { role: 'user', content: qa!.fields.question }],
      completion: [{ role: 'assistant', content: qa!.fields.answer }],
    });
    if (mapped.ok) expectValid('prompt-completion', mapped.row);
  });

  it('prompt-completion, conversational, reports messages that do not end with the answer', () => {
    const mapped = map({ format: 'prompt-completion', messages: [{ role: 'user', content: '{{ question }}' }] });
    expect(mapped.ok).toBe(false);
    if (!mapped.ok) expect(mapped.problems[0]).toMatch(/must end with the assistant completion/);
  });

  it('preference, standard and conversational', () => {
    const standard = map({ format: 'preference', fields: { prompt: '{{ question }}', chosen: '{{ answer }}', rejected: '{{ rejected }}' } });
    expect(standard.ok && standard.row).toEqual({ id: 's0-000000', prompt: qa!.fields.question, chosen: qa!.fields.answer, rejected: qa!.fields.rejected });
    if (standard.ok) expectValid('preference', standard.row);
    const conversational = map({
      format: 'preference',
      messages: [{ role: 'user', content: '{{ question }}' }],
      fields: { chosen: '{{ answer }}', rejected: '{{ rejected }}' },
    });
    expect(conversational.ok && conversational.row).toEqual({
      id: 's0-000000',
      prompt: [{ role: 'user', content: qa!.fields.question }],
      chosen: [{ role: 'assistant', content: qa!.fields.answer }],
      rejected: [{ role: 'assistant', content: qa!.fields.rejected }],
    });
    if (conversational.ok) expectValid('preference', conversational.row);
  });

  it('preference rejects identical answers', () => {
    const mapped = map({ format: 'preference', fields: { prompt: '{{ question }}', chosen: '{{ answer }}', rejected: '{{ answer }}' } });
    expect(mapped).toEqual({ ok: false, problems: ['rejected: chosen and rejected are identical, which teaches nothing'] });
  });
});

describe('format schemas reject rows of another format', () => {
  it('an alpaca row is not an openai-chat row, nor the reverse', () => {
    const alpaca = { id: 'a', instruction: 'i', input: '', output: 'o' };
    expect(DATASET_FORMATS['openai-chat'].rowSchema.safeParse(alpaca).success).toBe(false);
    expect(DATASET_FORMATS.alpaca.rowSchema.safeParse({ id: 'a', messages: [{ role: 'assistant', content: 'x' }] }).success).toBe(false);
    expect(DATASET_FORMATS.sharegpt.rowSchema.safeParse({ id: 'a', conversations: [{ from: 'gpt', value: 'x', extra: 1 }] }).success).toBe(false);
  });
});
