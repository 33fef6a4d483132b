/**
 * Decontamination: recall on planted contaminations, precision on clean text, and records checked
 * per minute on one core against an evaluation set of `--eval-items` (default 100,000).
 *
 * - Evaluation set: fresh documents of synthetic-corpus.ts (seed 1), each cut to 40–80 words (the
 *   length of a benchmark question with its context), written as JSONL and indexed by EvalIndex.build.
 * - Records (`--records`, default 200,000): fresh documents of another seed (≈ 150 words). Of them,
 *   `--planted-percent` (default 1) contain an evaluation item verbatim between two clean passages, and as
 *   many contain a lightly edited one (each word replaced with probability 1/50, at least one).
 * - A record is flagged when one of its 13-grams is in the set. Recall: planted records flagged;
 *   precision: flagged records that were planted. Throughput: `EvalIndex.match` over the record
 *   texts (normalise, hash, probe) on the calling thread, best of 3 rounds.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuUsage } from 'node:process';
import { EvalIndex } from '../src/decontam/eval-index.js';
import { hasFlag, numberOption } from './bench-args.js';
import { formatCount, formatMiB, formatSeconds, printSummary, printTable } from './bench-table.js';
import { createRandom } from './random.js';
import { generateCorpus } from './synthetic-corpus.js';

export async function run(args: string[]): Promise<void> {
  const evalItems = numberOption(args, 'eval-items', 100_000);
  const recordCount = numberOption(args, 'records', 200_000);
  const plantedRate = numberOption(args, 'planted-percent', 1) / 100;
  const dir = await mkdtemp(join(tmpdir(), 'synthforge-decontam-bench-'));
  try {
    const random = createRandom(7);
    const items: string[] = [];
    for (const document of generateCorpus({ documents: evalItems, seed: 1, variantRate: 0 })) {
      const words = document.text.split(' ');
      items.push(words.slice(0, 40 + Math.floor(random() * 41)).join(' '));
    }
    const file = join(dir, 'eval.jsonl');
    await writeFile(file, `${items.map((question, id) => JSON.stringify({ id, question })).join('\n')}\n`);

    const buildStart = performance.now();
    const index = await EvalIndex.build({ against: [file], evalFields: ['question'], baseDir: dir });
    const buildSeconds = (performance.now() - buildStart) / 1000;

    const records: string[] = [];
    const planted: boolean[] = [];
    const vocabulary: string[] = [];
    for (const document of generateCorpus({ documents: recordCount, seed: 2, variantRate: 0 })) {
      let text = document.text;
      if (vocabulary.length < 5000) vocabulary.push(...text.split(' ').slice(0, 20));
      const roll = random();
      const kind = roll < plantedRate ? 'verbatim' : roll < 2 * plantedRate ? 'edited' : 'clean';
      if (kind !== 'clean') {
        const item = items[Math.floor(random() * items.length)]!;
        const leaked = kind === 'verbatim' ? item : editWords(item, vocabulary, random);
        const words = text.split(' ');
        const cut = Math.floor(words.length / 2);
        text = `${words.slice(0, cut).join(' ')} ${leaked} ${words.slice(cut).join(' ')}`;
      }
      records.push(text);
      planted.push(kind !== 'clean');
    }

    let flagged: boolean[] = [];
    let bestSeconds = Infinity;
    let bestCpu = Infinity;
    for (let round = 0; round < 3; round++) {
      const cpuStart = cpuUsage();
      const start = performance.now();
      const verdicts = records.map((text) => index.match([text]) !== undefined);
      const seconds = (performance.now() - start) / 1000;
      const cpu = cpuUsage(cpuStart);
      if (seconds < bestSeconds) {
        bestSeconds = seconds;
        bestCpu = (cpu.user + cpu.system) / 1e6;
      }
      flagged = verdicts;
    }

    const plantedCount = planted.filter(Boolean).length;
    const truePositives = flagged.filter((flag, position) => flag && planted[position]).length;
    const flaggedCount = flagged.filter(Boolean).length;
    const recall = plantedCount === 0 ? 1 : truePositives / plantedCount;
    const precision = flaggedCount === 0 ? 1 : truePositives / flaggedCount;
    const recordsPerMin = (recordCount / bestSeconds) * 60;

    printTable(
      ['eval items', 'n-grams', 'index MiB', 'build', 'records', 'planted', 'recall', 'precision', 'check time', 'records/min', 'CPU µs/record'],
      [[
        formatCount(index.items),
        formatCount(index.ngrams),
        formatMiB(index.bytes),
        formatSeconds(buildSeconds),
        formatCount(recordCount),
        formatCount(plantedCount),
        recall.toFixed(4),
        precision.toFixed(4),
        formatSeconds(bestSeconds),
        formatCount(Math.round(recordsPerMin)),
        ((bestCpu / recordCount) * 1e6).toFixed(1),
      ]],
    );
    if (!hasFlag(args, 'quiet')) console.log('recall over planted verbatim and edited items; precision over every flagged record; throughput on one thread, best of 3');
    printSummary('decontaminate', {
      recall,
      precision,
      records_per_min: recordsPerMin,
      eval_items: index.items,
      records: recordCount,
      planted: plantedCount,
      ngrams: index.ngrams,
      index_mib: index.bytes / 1024 / 1024,
      build_s: buildSeconds,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Each word replaced with probability 1/50, and at least one: "a changed word in 50". */
function editWords(text: string, vocabulary: readonly string[], random: () => number): string {
  const words = text.split(' ');
  let changed = 0;
  for (let position = 0; position < words.length; position++) {
    if (random() < 1 / 50) {
      words[position] = vocabulary[Math.floor(random() * vocabulary.length)]!;
      changed++;
    }
  }
  if (changed === 0) words[Math.floor(random() * words.length)] = vocabulary[Math.floor(random() * vocabulary.length)]!;
  return words.join(' ');
}
