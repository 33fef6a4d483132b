import { describe, expect, it } from 'vitest';
import { messageTextJson } from '../../src/prompt/message-text-json.js';

describe('messageTextJson', () => {
  it('is JSON.stringify of the text, for texts seen before, equal texts of other strings, and new ones', () => {
    const texts = ['', 'plain', 'quote " backslash \\ newline \n tab \t', 'é ✓ 😀 \u2028 \u0001', 'x'.repeat(5000)];
    // More distinct texts than it remembers, each asked about several times in different orders.
    const asked = [...texts, ...texts.map((text) => `${text}!`), ...[...texts].reverse(), ...texts.map((text) => `${text}!`.slice(0, -1))];
    for (const text of asked) expect(messageTextJson(text)).toBe(JSON.stringify(text));
  });
});
