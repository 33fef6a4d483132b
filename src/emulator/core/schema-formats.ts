/**
 * Generators for the string formats that OpenAI strict mode and Anthropic JSON outputs accept. We supply our
 * own because json-schema-faker 0.6.3 emits durations such as "PT0D" that ajv-formats (rightly) rejects, and
 * every line the emulator calls valid must pass the validator a client would use.
 */
import type { Random } from 'json-schema-faker';
import { NOUNS } from './vocabulary.js';

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
const hex = (random: Random, digits: number): string =>
  Array.from({ length: digits }, () => random.int(0, 15).toString(16)).join('');

function date(random: Random): string {
  return `${random.int(2019, 2026)}-${pad(random.int(1, 12))}-${pad(random.int(1, 28))}`;
}

function time(random: Random): string {
  return `${pad(random.int(0, 23))}:${pad(random.int(0, 59))}:${pad(random.int(0, 59))}Z`;
}

export const FORMAT_GENERATORS: Readonly<Record<string, (random: Random) => string>> = {
  'date-time': (random) => `${date(random)}T${time(random)}`,
  date,
  time,
  duration: (random) => `P${random.int(1, 30)}DT${random.int(0, 23)}H${random.int(0, 59)}M`,
  email: (random) => `${random.pick(NOUNS)}.${random.pick(NOUNS)}${random.int(1, 99)}@example.com`,
  hostname: (random) => `${random.pick(NOUNS)}-${random.int(1, 99)}.example.com`,
  ipv4: (random) => `${random.int(1, 223)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`,
  ipv6: (random) => `2001:db8:${hex(random, 4)}:${hex(random, 4)}::${hex(random, 4)}`,
  uuid: (random) =>
    `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-${'89ab'[random.int(0, 3)]}${hex(random, 3)}-${hex(random, 12)}`,
  uri: (random) => `https://example.com/${random.pick(NOUNS)}/${random.int(1, 9999)}`,
};
