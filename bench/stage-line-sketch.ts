// What a sketch worker does per batch of stage lines, old path against new, in one thread and one
// process, alternating (so both see the same machine load):
//   parse:  parseStageLines (JSON.parse of each record, dedupTextOf) → sketchBatch of the texts
//   locate: sketchStageLines (id and compared text read from the line's bytes, normalised there)
//   node --import tsx bench/stage-line-sketch.ts --input=STAGE [--fields=answer] [--repeats=5] [--batch-mb=1]
// Prints CPU µs per document for each (process CPU: this loop is the only work) and checks that
// both give the same ids, failed lines and sketches.
import { readFileSync } from 'node:fs';
import { numberOption, optionValue } from './bench-args.js';
import { isEntryPoint } from './bench-child.js';
import { parseDedupSpec, resolveDedupConfig } from '../src/dedup/dedup-spec.js';
import { DocumentSketcher, type SketchBatch } from '../src/dedup/document-sketcher.js';
import { parseStageLines, sketchStageLines } from '../src/dedup/stage-line-batch.js';
import { StageRecordLocator } from '../src/dedup/stage-record-locator.js';

function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** The file cut into batches of whole lines of about `batchBytes`, as readStageLineBatches cuts them. */
function batchesOf(bytes: Uint8Array, batchBytes: number): Uint8Array[] {
  const batches: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; ) {
    let end = Math.min(bytes.length, start + batchBytes);
    if (end < bytes.length) end = bytes.lastIndexOf(0x0a, end - 1) + 1;
    if (end <= start) end = bytes.length;
    batches.push(bytes.subarray(start, end));
    start = end;
  }
  return batches;
}

function sameBatch(a: SketchBatch, b: SketchBatch): boolean {
  const equal = (x: ArrayLike<number>, y: ArrayLike<number>): boolean => x.length === y.length && Array.prototype.every.call(x, (value: number, index: number) => value === y[index]);
  return a.count === b.count && equal(a.exactKeys, b.exactKeys) && equal(a.shingleStarts, b.shingleStarts) && equal(a.shingles, b.shingles) && equal(a.bandKeys, b.bandKeys) && equal(a.sketched, b.sketched);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const input = optionValue(args, 'input');
  if (input === undefined) throw new Error('usage: stage-line-sketch.ts --input=STAGE_FILE [--fields=answer] [--repeats=5] [--batch-mb=1]');
  const fields = (optionValue(args, 'fields') ?? 'answer').split(',');
  const repeats = numberOption(args, 'repeats', 5);
  const batches = batchesOf(new Uint8Array(readFileSync(input)), numberOption(args, 'batch-mb', 1) * 2 ** 20);
  const config = resolveDedupConfig(parseDedupSpec({ fields, near: { threshold: 0.8 } }));
  const sketcher = await DocumentSketcher.create(config);
  const locator = new StageRecordLocator(fields);
  const best = { parse: Number.POSITIVE_INFINITY, locate: Number.POSITIVE_INFINITY };
  let docs = 0;
  for (let repeat = 0; repeat < repeats; repeat++) {
    let started = cpuMicros();
    const old = batches.map((bytes) => {
      const parsed = parseStageLines(bytes, fields);
      return { parsed, batch: sketcher.sketchBatch(parsed.texts.length, (doc) => parsed.texts[doc]!) };
    });
    const parseMicros = cpuMicros() - started;
    started = cpuMicros();
    const now = batches.map((bytes) => sketchStageLines(bytes, fields, sketcher, locator));
    const locateMicros = cpuMicros() - started;
    docs = old.reduce((sum, { parsed }) => sum + parsed.texts.length, 0);
    for (let index = 0; index < batches.length; index++) {
      const a = old[index]!;
      const b = now[index]!;
      const same = sameBatch(a.batch, b.batch) && a.parsed.failed.every((flag, line) => flag === b.lines.failed[line]) && a.parsed.ids.every((id, doc) => id === b.lines.ids[doc]);
      if (!same) throw new Error(`batch ${index}: locateStageLines differs from parseStageLines`);
    }
    best.parse = Math.min(best.parse, parseMicros / docs);
    best.locate = Math.min(best.locate, locateMicros / docs);
    console.log(`repeat ${repeat}: parse+sketch ${(parseMicros / docs).toFixed(2)} µs/doc, locate+sketch ${(locateMicros / docs).toFixed(2)} µs/doc`);
  }
  console.log(
    `summary stage_line_sketch docs=${docs} parse_us=${best.parse.toFixed(2)} locate_us=${best.locate.toFixed(2)} ratio=${(best.locate / best.parse).toFixed(3)}`,
  );
}

if (isEntryPoint(import.meta.url)) await main();
