import type { EmulatorServer } from '../../emulator/emulator.js';

export function renderEmulatorBanner(server: EmulatorServer): string {
  return [
    `synthforge emulator listening on ${server.url}`,
    `  OpenAI:    OPENAI_BASE_URL=${server.openaiBaseURL} OPENAI_API_KEY=any`,
    `  Anthropic: ANTHROPIC_BASE_URL=${server.anthropicBaseURL} ANTHROPIC_API_KEY=any`,
    `  Gemini:    GEMINI_BASE_URL=${server.geminiBaseURL} GEMINI_API_KEY=any`,
    `  stats: GET ${server.url}/_emulator/stats   faults: POST ${server.url}/_emulator/config`,
    'Ctrl-C to stop.',
  ].join('\n');
}
