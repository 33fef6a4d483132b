/**
 * Text from data (a seed record, a model's answer, a provider's error excerpt) reaches the terminal
 * through our renderers. A terminal obeys control characters wherever they come from: `\x1b[2J`
 * clears the screen, `\r` rewrites the line so a summary can be faked, C1 `\x9b` is a one-byte CSI,
 * and the bidirectional overrides reorder what is shown. Renderers print such characters as visible
 * escapes; data files and `--json` output keep the bytes as they are.
 */

/** C0 controls, DEL, C1 controls, and the Unicode bidirectional embeddings, overrides and isolates. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_EXCEPT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(character: string): string {
  const named = NAMED[character];
  if (named !== undefined) return named;
  const code = character.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One value from data on one line: every control character, newlines included, shown as an escape. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, visible);
}

/**
 * A whole rendered block: newlines and tabs stay (the renderer's own layout), every other control
 * character is shown as an escape. The last line of defence for values a renderer did not escape.
 */
export function terminalSafeLines(text: string): string {
  return text.replace(UNSAFE_EXCEPT_LINES, visible);
}
