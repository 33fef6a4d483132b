// The recipe and seed records the scale benchmarks run: a support-answer step shaped like the
// recipes users write (a system and a user template with a conditional, filters and a default; a
// JSON Schema output; n samples per record), a near-duplicate dedup on the answer, and an
// openai-chat dataset with two splits in JSONL and Parquet. Seeds are generated deterministically.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createRandom } from './random.js';

export const PRODUCTS = ['router', 'modem', 'mesh system', 'range extender', 'smart plug', 'security camera', 'doorbell', 'thermostat'];
export const PERSONAS = ['First-time user', 'Network engineer', 'Small business owner', 'Retiree', 'Gamer', 'IT administrator'];
const TAGS = ['wifi', 'firmware', 'billing', 'setup', 'latency', 'parental controls', 'vpn', 'port forwarding', 'warranty', 'dns'];
const WORDS = (
  'my the it keeps dropping connection after update every evening when I try to stream video lights blink orange ' +
  'cannot reach admin page password reset did not help speed is much lower than plan promised upstairs rooms ' +
  'lose signal devices disconnect randomly app shows offline although internet works fine since yesterday morning ' +
  'factory reset twice replaced cable still same problem how do I fix this without calling support'
).split(' ');

export const ANSWER_SCHEMA = {
  type: 'object',
  properties: {
    answer: { type: 'string', minLength: 40 },
    confidence: { type: 'integer', minimum: 1, maximum: 5 },
    topics: { type: 'array', items: { type: 'string' }, maxItems: 5 },
  },
  required: ['answer', 'confidence', 'topics'],
  additionalProperties: false,
} as const;

const SYSTEM = 'You are a patient support engineer for {{ product | title }} devices. You are talking to a {{ persona | lower }}.';
const PROMPT = [
  'A customer wrote about their {{ product }}:',
  '"{{ question | trim }}"',
  "{% if tags %}Related topics: {{ tags | join(', ') }}.{% endif %}",
  '{% if priority > 2 %}This is urgent: lead with the fix, then explain.{% else %}Explain the likely cause first, then the fix.{% endif %}',
  "Reply in {{ locale | default('en') }}, in at most {{ 120 if priority > 1 else 200 }} words.",
].join('\n');

export interface ScaleRecipeOptions {
  /** Seed JSONL file, relative to the recipe's base directory or absolute. */
  seedsFile: string;
  n: number;
  name?: string;
  /** Add the near-duplicate dedup step on `answer` after the generate step. */
  dedup?: boolean;
  maxAttempts?: number;
  maxRequestsPerBatch?: number;
  /** The generate step's model, `provider/model` (default `openai/gpt-4o-mini`). */
  model?: string;
}

export function scaleRecipe(options: ScaleRecipeOptions): Record<string, unknown> {
  return {
    name: options.name ?? 'bench-support',
    seeds: [{ jsonl: options.seedsFile }],
    max_attempts: options.maxAttempts ?? 1,
    steps: [
      {
        generate: 'answer',
        model: options.model ?? 'openai/gpt-4o-mini',
        n: options.n,
        temperature: 0.9,
        max_tokens: 400,
        system: SYSTEM,
        prompt: PROMPT,
        schema: ANSWER_SCHEMA,
        ...(options.maxRequestsPerBatch ? { max_requests_per_batch: options.maxRequestsPerBatch } : {}),
      },
      ...(options.dedup ? [{ dedup: { fields: ['answer'], near: { threshold: 0.8 } } }] : []),
    ],
    output: {
      format: 'openai-chat',
      messages: [
        { role: 'user', content: '{{ question }}' },
        { role: 'assistant', content: '{{ answer }}' },
      ],
      splits: { train: 0.95, test: 0.05 },
      files: ['jsonl', 'parquet'],
    },
  };
}

export interface SeedRecord {
  product: string;
  persona: string;
  question: string;
  tags: string[];
  priority: number;
  locale?: string;
}

export function* generateSeedRecords(count: number, seed = 7): Generator<SeedRecord> {
  const random = createRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  for (let index = 0; index < count; index++) {
    const length = 18 + Math.floor(random() * 24);
    const words = Array.from({ length }, () => pick(WORDS));
    const tags = Array.from({ length: Math.floor(random() * 4) }, () => pick(TAGS));
    yield {
      product: pick(PRODUCTS),
      persona: pick(PERSONAS),
      // The index keeps every question (so every request) distinct, as real seed data is.
      question: `  ${words.join(' ')} (ticket ${index})?  `,
      tags,
      priority: 1 + Math.floor(random() * 3),
      ...(random() < 0.3 ? { locale: pick(['de', 'fr', 'es']) } : {}),
    };
  }
}

/** Writes `count` seed records as JSONL; returns the bytes written. */
export async function writeSeedFile(path: string, count: number): Promise<number> {
  const output = createWriteStream(path);
  let bytes = 0;
  let pending: string[] = [];
  const flush = async (): Promise<void> => {
    const text = pending.join('');
    pending = [];
    bytes += Buffer.byteLength(text);
    if (!output.write(text)) await once(output, 'drain');
  };
  for (const record of generateSeedRecords(count)) {
    pending.push(`${JSON.stringify(record)}\n`);
    if (pending.length >= 4096) await flush();
  }
  await flush();
  output.end();
  await once(output, 'finish');
  return bytes;
}
