import { terminalSafeLines } from './terminal-text.js';

/**
 * The line a failed command prints on stderr. An error message can quote data (a seed line, a
 * provider's error body, a template's output), so its control characters are shown as escapes.
 */
export function renderErrorMessage(message: string): string {
  return `error: ${terminalSafeLines(message)}`;
}
