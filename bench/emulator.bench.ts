// The emulator at the OpenAI Batch limits: one input file of 50,000 requests and ≈ 200 MB, sent
// through the official SDK over loopback (upload → create → run → download), each phase timed with
// its peak RSS (client and emulator share this process), against two floors measured in the same
// run on the same file: streaming it over loopback HTTP to a server that discards it (for the
// upload), and reading it line by line with JSON.parse (for the run, which scans before answering).
//   npm run bench -- emulator                       50,000 requests, ≈ 199 MB
//   npm run bench -- emulator --requests=20000 --mb=80
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import OpenAI from 'openai';
import { startEmulator } from '../src/emulator/emulator.js';
import { readBodyLines } from '../src/providers/read-lines.js';
import { numberOption, optionValue } from './bench-args.js';
import { formatCount, formatMiB, formatRatio, formatSeconds, printSummary, printTable } from './bench-table.js';
import { measureStage, type StageMeasure } from './stage-meter.js';

const SCHEMA = {
  type: 'json_schema',
  json_schema: {
    name: 'answer',
    strict: true,
    schema: {
      type: 'object',
      properties: { answer: { type: 'string' }, confidence: { type: 'number' } },
      required: ['answer', 'confidence'],
      additionalProperties: false,
    },
  },
};

/** Writes `requests` chat lines padded so the file is about `bytes` long; returns its size. */
async function writeInput(path: string, requests: number, bytes: number): Promise<number> {
  const skeleton = requestLine(0, '').length;
  const padding = Math.max(0, Math.floor(bytes / requests) - skeleton - 8);
  const words = 'the router drops the connection after the firmware update on the second floor '.repeat(Math.ceil(padding / 80) + 1);
  const stream = createWriteStream(path);
  for (let index = 0; index < requests; index++) {
    const start = index % 80;
    if (!stream.write(requestLine(index, words.slice(start, start + padding)))) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
  return statSync(path).size;
}

function requestLine(index: number, text: string): string {
  const body = {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'Answer the support question.' },
      { role: 'user', content: `Question ${index}: ${text}` },
    ],
    response_format: SCHEMA,
  };
  return `${JSON.stringify({ custom_id: `req-${index}`, method: 'POST', url: '/v1/chat/completions', body })}\n`;
}

/** Streams the file to a loopback server that only counts bytes. */
async function transferFloor(path: string): Promise<number> {
  let received = 0;
  const server = createServer((incoming, response) => {
    incoming.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    incoming.on('end', () => response.end('ok'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const outgoing = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/octet-stream' } });
  const answered = once(outgoing, 'response');
  await pipeline(createReadStream(path), outgoing);
  const [response] = (await answered) as [NodeJS.ReadableStream];
  response.resume();
  await once(response, 'end');
  server.close();
  return received;
}

async function scanFloor(path: string): Promise<number> {
  let lines = 0;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY })) {
    if ((JSON.parse(line) as { custom_id: string }).custom_id !== '') lines++;
  }
  return lines;
}

interface EmulatorPhases {
  upload: StageMeasure;
  create: StageMeasure;
  run: StageMeasure;
  download: StageMeasure;
  outputLines: number;
}

async function throughEmulator(path: string, workDir: string, requests: number): Promise<EmulatorPhases> {
  const emulator = await startEmulator({
    dataDir: join(workDir, 'emulator'),
    faults: { timing: { validatingMs: 0, inProgressMs: 0, finalizingMs: 0 } },
  });
  try {
    const client = new OpenAI({ apiKey: 'sk-bench', baseURL: emulator.openaiBaseURL, maxRetries: 0, timeout: 600_000 });
    let fileId = '';
    const upload = await measureStage('upload', async () => {
      fileId = (await client.files.create({ file: createReadStream(path), purpose: 'batch' })).id;
      return statSync(path).size;
    });
    let batchId = '';
    const create = await measureStage('create', async () => {
      const batch = await client.batches.create({ input_file_id: fileId, endpoint: '/v1/chat/completions', completion_window: '24h' });
      if (batch.status === 'failed') throw new Error(`the emulator refused the batch: ${JSON.stringify(batch.errors)}`);
      batchId = batch.id;
      return requests;
    });
    let outputFileId = '';
    const run = await measureStage('run', async () => {
      for (;;) {
        const batch = await client.batches.retrieve(batchId);
        if (batch.status === 'completed') {
          outputFileId = batch.output_file_id ?? '';
          return batch.request_counts?.completed ?? 0;
        }
        if (['failed', 'expired', 'cancelled'].includes(batch.status)) throw new Error(`batch ended ${batch.status}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    });
    let outputLines = 0;
    const download = await measureStage('download', async () => {
      // The adapter's own line reader: what a run does with a result file.
      const response = await client.files.content(outputFileId);
      for await (const { line } of readBodyLines(response.body)) if (line !== '') outputLines++;
      return outputLines;
    });
    return { upload, create, run, download, outputLines };
  } finally {
    await emulator.close();
  }
}

export async function run(args: string[]): Promise<void> {
  const requests = numberOption(args, 'requests', 50_000);
  // Megabytes may be fractional (the smoke test sends 0.6), which count options do not take.
  const megabytes = Number(optionValue(args, 'mb') ?? 199);
  if (!(megabytes > 0)) throw new Error(`--mb expects a positive number, got "${optionValue(args, 'mb')}"`);
  const targetBytes = megabytes * 1_000_000;
  const workDir = mkdtempSync(join(tmpdir(), 'synthforge-bench-emulator-'));
  try {
    const inputPath = join(workDir, 'input.jsonl');
    const bytes = await writeInput(inputPath, requests, targetBytes);
    console.log(`input: ${formatCount(requests)} requests, ${(bytes / 1e6).toFixed(1)} MB (${formatCount(bytes / requests)} bytes per line), start RSS ${formatMiB(process.memoryUsage.rss())}`);

    const transfer = await measureStage('transfer floor', () => transferFloor(inputPath));
    const scan = await measureStage('scan floor', () => scanFloor(inputPath));
    const phases = await throughEmulator(inputPath, workDir, requests);
    if (phases.outputLines !== requests) throw new Error(`expected ${requests} output lines, got ${phases.outputLines}`);

    const row = (measure: StageMeasure, unit: 'MB' | 'lines', floor?: StageMeasure): string[] => [
      measure.name,
      formatSeconds(measure.seconds),
      unit === 'MB' ? `${(measure.items / 1e6 / measure.seconds).toFixed(0)} MB/s` : `${formatCount(measure.items / measure.seconds)} lines/s`,
      floor === undefined ? '' : formatRatio(measure.seconds / floor.seconds),
      formatMiB(measure.peakRssBytes),
    ];
    printTable(
      ['phase', 'seconds', 'throughput', '× floor time', 'peak RSS (client + emulator)'],
      [
        row(transfer, 'MB'),
        row(scan, 'lines'),
        row(phases.upload, 'MB', transfer),
        row(phases.create, 'lines'),
        row(phases.run, 'lines', scan),
        row(phases.download, 'lines'),
      ],
    );
    console.log(
      `upload: the SDK's multipart upload, streamed by the emulator to disk. create: answered at once with status validating, as the ` +
        `real API does. run: the emulator scans the file (JSON per line, ids, model, limits; its floor is the scan floor) and answers ` +
        `every line. download: all ${formatCount(phases.outputLines)} output lines through the adapter's line reader.`,
    );
    console.log('');
    printSummary('emulator', {
      requests,
      mb: bytes / 1e6,
      upload_s: phases.upload.seconds,
      upload_floor_ratio: phases.upload.seconds / transfer.seconds,
      run_s: phases.run.seconds,
      run_floor_ratio: phases.run.seconds / scan.seconds,
      download_lines_per_s: phases.download.items / phases.download.seconds,
      peak_rss_mib: Math.max(phases.upload.peakRssBytes, phases.create.peakRssBytes, phases.run.peakRssBytes, phases.download.peakRssBytes) / 2 ** 20,
    });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
