import { readFileSync } from 'node:fs';

/** Every line of a JSONL file, parsed (blank lines skipped). */
export function readJsonlFile(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
