import { describe, expect, it } from 'vitest';
import type { EmulatorServer } from '../../src/emulator/emulator.js';
import { renderEmulatorBanner } from '../../src/cli/render/emulator.js';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

const VARIABLES = ['OPENAI_BASE_URL', 'ANTHROPIC_BASE_URL', 'GEMINI_BASE_URL'];

describe('emulator banner and help', () => {
  it('the banner names all three providers with the base-URL variable that points each at the emulator', () => {
    const url = 'http://127.0.0.1:8787';
    const server = { url, openaiBaseURL: `${url}/v1`, anthropicBaseURL: url, geminiBaseURL: url } as EmulatorServer;
    const banner = renderEmulatorBanner(server);
    expect(banner).toContain(`OPENAI_BASE_URL=${url}/v1`);
    expect(banner).toContain(`ANTHROPIC_BASE_URL=${url}`);
    expect(banner).toContain(`GEMINI_BASE_URL=${url}`);
    expect(banner).toMatch(/Gemini:/);
  });

  it('`emulator --help` names all three providers and their base-URL variables', async () => {
    const result = await runCli(['emulator', '--help'], { cwd: tempDir() });
    expect(result.code).toBe(0);
    for (const name of ['OpenAI', 'Anthropic', 'Gemini', ...VARIABLES]) expect(result.stdout).toContain(name);
  });
});
