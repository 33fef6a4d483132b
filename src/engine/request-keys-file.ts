/**
 * The request keys of each record entering a generate step, one JSON array per line, in the order
 * of the stage file. Written while planning (which renders every prompt anyway) and read while
 * emitting, so prompts are rendered once. Written to a temp name and renamed when complete: a
 * missing file (a crash mid-plan) just means the emitter renders again.
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export function requestKeysPath(stagePath: string, stepIndex: number): string {
  return stagePath.replace(/\.jsonl$/, `.step${stepIndex}-keys.jsonl`);
}

export class RequestKeysWriter {
  private readonly stream;

  constructor(private readonly path: string) {
    this.stream = createWriteStream(`${path}.partial`);
  }

  async write(keys: string[]): Promise<void> {
    if (!this.stream.write(`${JSON.stringify(keys)}\n`)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
    await rename(`${this.path}.partial`, this.path);
  }
}

/** Reads the keys file line by line, or undefined when there is none. */
export function openRequestKeys(path: string): (() => Promise<string[] | undefined>) | undefined {
  if (!existsSync(path)) return undefined;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })[Symbol.asyncIterator]();
  return async () => {
    const next = await lines.next();
    return next.done ? undefined : (JSON.parse(next.value) as string[]);
  };
}
