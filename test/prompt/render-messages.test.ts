import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../src/prompt/compile-template.js';
import { TemplateError } from '../../src/prompt/errors.js';
import { renderMessages } from '../../src/prompt/render-messages.js';

describe('renderMessages', () => {
  const fields = { persona: 'novice', product: 'modem', question: 'Why is it blinking?' };

  it('renders system, then messages, then the prompt as the last user turn', () => {
    const messages = renderMessages(
      {
        system: compileTemplate('You help {{ persona }} users.'),
        messages: [
          { role: 'user', content: compileTemplate('Example about {{ product }}') },
          { role: 'assistant', content: compileTemplate('Example answer') },
        ],
        prompt: compileTemplate('{{ question }}'),
      },
      fields,
    );
    expect(messages).toEqual([
      { role: 'system', content: 'You help novice users.' },
      { role: 'user', content: 'Example about modem' },
      { role: 'assistant', content: 'Example answer' },
      { role: 'user', content: 'Why is it blinking?' },
    ]);
  });

  it('renders a prompt alone, dropping only the one trailing newline Jinja drops', () => {
    const prompt = compileTemplate('  Write one question a {{ persona }}\nmight ask about their {{ product }}.\n');
    expect(renderMessages({ prompt }, fields)).toEqual([
      { role: 'user', content: '  Write one question a novice\nmight ask about their modem.' },
    ]);
    expect(renderMessages({ prompt: compileTemplate('a\n\n') }, fields)[0]!.content).toBe('a\n');
  });

  it('mixes function and Jinja templates', () => {
    const messages = renderMessages(
      { system: compileTemplate(() => 'fixed'), prompt: compileTemplate((record) => `Q: ${String(record['question'])}`) },
      fields,
    );
    expect(messages.map((message) => message.content)).toEqual(['fixed', 'Q: Why is it blinking?']);
  });

  it('passes the record id into errors', () => {
    const prompt = compileTemplate('{{ answer }}', { where: 'steps[2].prompt' });
    expect(() => renderMessages({ prompt }, fields, 's0-000009')).toThrow(
      /template steps\[2\]\.prompt: "answer" is not a field of record s0-000009/,
    );
  });

  it('refuses to build a request with no messages', () => {
    expect(() => renderMessages({}, fields, 's0-000000')).toThrow(TemplateError);
  });
});
