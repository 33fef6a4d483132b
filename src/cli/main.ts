#!/usr/bin/env node
/**
 * The synthforge command line. Each command lives in commands/<name>.ts, returns data, and is
 * imported lazily so start-up loads only what runs. This file parses flags, renders results as
 * text or JSON (stdout carries only data), and exits with the code each error or run status names.
 */
import { Command, type CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT_CODE_MEANINGS, EXIT_CODES, exitCodeForRunStatus, SynthforgeError, type ExitKind } from '../errors.js';
import { RecipeError } from '../recipe/recipe-error.js';
import { renderRecipeIssues } from './render/recipe-issues.js';
import { mapSystemError } from './map-system-error.js';
import { outputRedactor } from './render/redact-output.js';
import { renderErrorMessage } from './render/error.js';
import { colorLabel, colorsFor } from './render/colors.js';
import { TOOL_VERSION } from '../version.js';
import type { RunSummary } from '../engine/run-report.js';

const program = new Command();

program
  .name('synthforge')
  .description('Synthetic training data through provider batch APIs: a recipe in, a versioned dataset out.')
  .version(TOOL_VERSION)
  .showHelpAfterError('(add --help for usage)')
  .configureHelp({ sortSubcommands: false })
  .addHelpText('after', exitCodesHelp())
  .exitOverride(exitForCommanderError);

const outOption = () => new Option('--out <dir>', 'dataset output root').default('outputs');
const stateOption = () => new Option('--state <dir>', 'run state and response cache directory').default('.synthforge');
const pollOption = () =>
  new Option('--poll-interval <ms>', 'first wait between batch status checks; it grows to 12x while nothing changes (default 5000, offline 25)').argParser(parsePositiveInt);
const jsonOption = () => new Option('--json', 'machine-readable output on stdout (run: NDJSON events, ending with run-end; a failure adds a final {"type":"error"} event)');

program
  .command('run')
  .description('Run a recipe (or continue its unfinished run) and write a new dataset version.')
  .argument('<recipe>', 'recipe file: .yaml/.yml, or .ts/.mts/.js exporting defineRecipe({...})')
  .option('--offline', 'start the built-in batch emulator and send every request to it (no API keys, no cost)')
  .addOption(outOption())
  .addOption(stateOption())
  .addOption(jsonOption())
  .option('--no-cache', 'send every request even if the response cache already has its answer')
  .option('--fresh', 'start a new run even if an unfinished run of this recipe exists')
  .option('--keep-rejects', 'write records removed by filter/dedup steps, with their reason, beside the dataset')
  .option('--force-version', 'write a new dataset version even when its data files equal the latest one')
  .option('--emulator-config <json|file>', 'offline emulator options as JSON (fault rates, timing, seed); for testing')
  .addOption(pollOption())
  .addHelpText(
    'after',
    `
Examples:
  synthforge run recipes/quickstart.yaml --offline      run against the built-in emulator
  OPENAI_API_KEY=sk-... synthforge run my-recipe.yaml    run against the real providers
  synthforge run my-recipe.yaml --json | jq -c .         NDJSON progress events

Keys come from the environment only: OPENAI_API_KEY (and OPENAI_BASE_URL), ANTHROPIC_API_KEY, GEMINI_API_KEY.
Running the same command again continues an interrupted run; answered requests are never paid twice.`,
  )
  .action(async (recipe: string, flags: Record<string, unknown>) => {
    const { runCommand } = await import('./commands/run.js');
    const { renderRunSummary } = await import('./render/summary.js');
    const summary = await runCommand({
      recipe,
      cwd: process.cwd(),
      offline: flags.offline as boolean,
      out: flags.out as string,
      state: flags.state as string,
      json: flags.json as boolean,
      cache: flags.cache as boolean,
      fresh: flags.fresh as boolean,
      keepRejects: flags.keepRejects as boolean,
      forceVersion: flags.forceVersion as boolean,
      ...(flags.emulatorConfig ? { emulatorConfig: flags.emulatorConfig as string } : {}),
      ...(flags.pollInterval !== undefined ? { pollIntervalMs: flags.pollInterval as number } : {}),
      ...(flags.json ? {} : { onSummary: (ended) => process.stdout.write(`${outputRedactor().text(renderRunSummary(withoutError(ended)))}\n`) }),
    });
    process.exitCode = exitCodeForRunStatus(summary.status);
  });

program
  .command('preview')
  .description('Run the first records through every step with the synchronous APIs (seconds, synchronous prices) and show each one; answers are cached for the run.')
  .argument('<recipe>', 'recipe file')
  .option('-n, --records <n>', 'seed records to preview (1..1000, default 5)')
  .option('--offline', 'preview against the built-in emulator (no API keys, no cost)')
  .addOption(stateOption())
  .addOption(new Option('--json', 'NDJSON events on stdout, one per line, ending with preview-end'))
  .option('--emulator-config <json|file>', 'offline emulator options as JSON (fault rates, timing, seed, answerLength); for testing')
  .addHelpText(
    'after',
    `
Examples:
  synthforge preview recipes/quickstart.yaml --offline        five records against the emulator
  OPENAI_API_KEY=sk-... synthforge preview my-recipe.yaml -n 20
The preview's estimated cost is shown before the first call and refused over budget.max_usd (exit 3).`,
  )
  .action(async (recipe: string, flags: Record<string, unknown>) => {
    const { previewCommand } = await import('./commands/preview.js');
    const { renderPreviewEvent } = await import('./render/preview.js');
    const redactor = outputRedactor();
    const summary = await previewCommand({
      recipe,
      cwd: process.cwd(),
      offline: flags.offline as boolean,
      state: flags.state as string,
      ...(flags.records !== undefined ? { records: flags.records as string } : {}),
      ...(flags.emulatorConfig ? { emulatorConfig: flags.emulatorConfig as string } : {}),
      onEvent: (event) => {
        const text = flags.json ? JSON.stringify(redactor.value(event)) : redactor.text(renderPreviewEvent(event));
        process.stdout.write(`${text}\n`);
      },
    });
    process.exitCode = summary.status === 'interrupted' ? EXIT_CODES.interrupted : 0;
  });

program
  .command('resume')
  .description('Continue an interrupted, failed or budget-stopped run; nothing already sent is sent again.')
  .argument('<run-id>', 'the run to continue (`synthforge status` lists them)')
  .option('--offline', 'use the built-in emulator (default: as the run was started)')
  .addOption(outOption())
  .addOption(stateOption())
  .addOption(jsonOption())
  .option('--keep-rejects', 'write records removed by filter/dedup steps, with their reason, beside the dataset')
  .addOption(pollOption())
  .action(async (runId: string, flags: Record<string, unknown>) => {
    const { resumeCommand } = await import('./commands/resume.js');
    const { renderRunSummary } = await import('./render/summary.js');
    const summary = await resumeCommand({
      runId,
      cwd: process.cwd(),
      ...(flags.offline ? { offline: true } : {}),
      out: flags.out as string,
      state: flags.state as string,
      json: flags.json as boolean,
      keepRejects: flags.keepRejects as boolean,
      ...(flags.pollInterval !== undefined ? { pollIntervalMs: flags.pollInterval as number } : {}),
      ...(flags.json ? {} : { onSummary: (ended) => process.stdout.write(`${outputRedactor().text(renderRunSummary(withoutError(ended)))}\n`) }),
    });
    process.exitCode = exitCodeForRunStatus(summary.status);
  });

program
  .command('status')
  .description('Show the runs in the state directory, or one run: steps, batches, progress and cost so far.')
  .argument('[run-id]', 'a run id; without it, the 20 newest runs')
  .addOption(stateOption())
  .addOption(jsonOption())
  .action(async (runId: string | undefined, flags: { state: string; json?: boolean }) => {
    const { statusCommand } = await import('./commands/status.js');
    const { renderStatus } = await import('./render/status.js');
    const report = await statusCommand({ cwd: process.cwd(), state: flags.state, ...(runId ? { runId } : {}) });
    process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${renderStatus(report)}\n`);
  });

program
  .command('cancel')
  .description('Cancel a run: its provider batches are cancelled and what already came back is kept.')
  .argument('<run-id>', 'the run to cancel')
  .addOption(stateOption())
  .addOption(jsonOption())
  .action(async (runId: string, flags: { state: string; json?: boolean }) => {
    const { cancelCommand } = await import('./commands/cancel.js');
    const { renderCancel } = await import('./render/cancel.js');
    const report = await cancelCommand({ cwd: process.cwd(), state: flags.state, runId });
    process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${renderCancel(report)}\n`);
  });

program
  .command('validate')
  .description('Check a recipe without running it: structure, schemas, templates and field references.')
  .argument('<recipe>', 'recipe file')
  .option('--data', 'also read every seed record (streamed), not only the first 100 of each source')
  .addOption(jsonOption())
  .action(async (recipe: string, flags: { json?: boolean; data?: boolean }) => {
    const { validateCommand } = await import('./commands/validate.js');
    const { renderValidate } = await import('./render/validate.js');
    const report = await validateCommand({ recipe, cwd: process.cwd(), data: flags.data === true });
    process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${renderValidate(report)}\n`);
  });

program
  .command('plan')
  .description('Show what a run would send and cost: records, requests and shards per step, the structured-output mode, and estimates calibrated by the state directory\'s cached answers. Sends nothing.')
  .argument('<recipe>', 'recipe file')
  .addOption(stateOption())
  .addOption(jsonOption())
  .action(async (recipe: string, flags: { json?: boolean; state: string }) => {
    const { planCommand } = await import('./commands/plan.js');
    const { renderPlan } = await import('./render/plan.js');
    const plan = await planCommand({ recipe, cwd: process.cwd(), state: flags.state });
    process.stdout.write(flags.json ? `${JSON.stringify(plan)}\n` : `${renderPlan(plan)}\n`);
  });

program
  .command('versions')
  .description('List the published versions of a dataset: rows per split, format, cost, content hash.')
  .argument('<dataset>', "dataset name (the recipe's name)")
  .addOption(outOption())
  .addOption(jsonOption())
  .action(async (dataset: string, flags: { out: string; json?: boolean }) => {
    const { versionsCommand } = await import('./commands/versions.js');
    const { renderVersions } = await import('./render/versions.js');
    const report = await versionsCommand({ dataset, cwd: process.cwd(), out: flags.out });
    process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${renderVersions(report)}\n`);
  });

program
  .command('show')
  .description('Show one version: rows per split, steps, models, cost and a few samples.')
  .argument('<dataset>', 'dataset[@vN] (default: the latest version)')
  .option('--samples <n>', 'rows to print', parseCount, 3)
  .option('--split <name>', 'take the samples from this split')
  .addOption(outOption())
  .addOption(jsonOption())
  .action(async (ref: string, flags: { out: string; json?: boolean; samples: number; split?: string }) => {
    const { showCommand } = await import('./commands/show.js');
    const { renderShow } = await import('./render/show.js');
    const report = await showCommand({ ref, cwd: process.cwd(), out: flags.out, samples: flags.samples, ...(flags.split ? { split: flags.split } : {}) });
    process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${renderShow(report)}\n`);
  });

program
  .command('diff')
  .description('Compare two versions: samples added, removed and changed (by id and content hash), rows per split, counts per step.')
  .argument('<dataset>', 'dataset name')
  .argument('<from>', 'older version: vN, N or latest')
  .argument('<to>', 'newer version: vN, N or latest')
  .option('--limit <n>', 'ids listed per kind (counts are always complete)', parseCount, 20)
  .addOption(outOption())
  .addOption(jsonOption())
  .action(async (dataset: string, from: string, to: string, flags: { out: string; json?: boolean; limit: number }) => {
    const { diffCommand } = await import('./commands/diff.js');
    const { renderDiff } = await import('./render/diff.js');
    const diff = await diffCommand({ dataset, from, to, cwd: process.cwd(), out: flags.out, limit: flags.limit });
    process.stdout.write(flags.json ? `${JSON.stringify(diff)}\n` : `${renderDiff(diff)}\n`);
  });

program
  .command('export')
  .description('Write a version (or one split) as one file in a training format: Parquet when FILE ends in .parquet, else JSONL.')
  .argument('<dataset>', 'dataset[@vN] (default: the latest version)')
  .addOption(new Option('--format <format>', 'row format').choices(['raw', 'openai-chat', 'sharegpt', 'alpaca', 'prompt-completion', 'preference']).makeOptionMandatory())
  .requiredOption('--out <file>', 'file to write (.jsonl or .parquet)')
  .option('--outputs <dir>', 'dataset output root', 'outputs')
  .option('--split <name>', 'export only this split')
  .option('--keep-id', 'keep the id column (raw always keeps it)')
  .addOption(new Option('--compression <codec>', 'Parquet codec').choices(['zstd', 'snappy']).default('zstd'))
  .option('--force', 'replace FILE if it exists')
  .addOption(jsonOption())
  .action(async (ref: string, flags: { format: string; out: string; outputs: string; split?: string; keepId?: boolean; compression: string; force?: boolean; json?: boolean }) => {
    const { exportCommand } = await import('./commands/export.js');
    const { renderExport } = await import('./render/export.js');
    const report = await exportCommand({
      ref,
      format: flags.format,
      file: flags.out,
      cwd: process.cwd(),
      out: flags.outputs,
      compression: flags.compression,
      ...(flags.split ? { split: flags.split } : {}),
      keepId: flags.keepId === true,
      force: flags.force === true,
    });
    process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${renderExport(report)}\n`);
  });

program
  .command('decontaminate')
  .description('Write a new version without the rows that share a word n-gram with an evaluation set (JSONL, CSV, Parquet files or dataset folders).')
  .argument('<dataset>', 'dataset[@vN] (default: the latest version)')
  .requiredOption('--against <path...>', 'evaluation set files or dataset folders')
  .option('--fields <names>', 'row fields to compare, comma-separated (default: every string in the row)', parseList)
  .option('--eval-fields <names>', 'evaluation item fields to compare, comma-separated (default: every string)', parseList)
  .option('--ngram <n>', 'words per n-gram', parsePositiveInt, 13)
  .option('--outputs <dir>', 'dataset output root', 'outputs')
  .addOption(jsonOption())
  .action(async (ref: string, flags: { against: string[]; fields?: string[]; evalFields?: string[]; ngram: number; outputs: string; json?: boolean }) => {
    const { decontaminateCommand } = await import('./commands/decontaminate.js');
    const { renderDecontaminate } = await import('./render/decontaminate.js');
    const report = await decontaminateCommand({
      ref,
      against: flags.against,
      ngram: flags.ngram,
      cwd: process.cwd(),
      out: flags.outputs,
      ...(flags.fields ? { fields: flags.fields } : {}),
      ...(flags.evalFields ? { evalFields: flags.evalFields } : {}),
    });
    process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${renderDecontaminate(report)}\n`);
  });

program
  .command('view')
  .description('Serve a local, read-only web app to browse datasets, samples, diffs, costs and running runs.')
  .addOption(outOption())
  .addOption(stateOption())
  .option('--port <n>', 'port to listen on (0 = any free port)', parsePort, 4173)
  .option('--host <address>', 'address to bind (default 127.0.0.1; anything else is reachable from other machines)')
  .action(async (flags: { out: string; state: string; port: number; host?: string }) => {
    const { viewCommand } = await import('./commands/view.js');
    const started = await viewCommand({ cwd: process.cwd(), out: flags.out, state: flags.state, port: flags.port, ...(flags.host ? { host: flags.host } : {}) });
    // Listening for the stop signals before saying where to connect: whoever reads that line may stop it at once.
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    if (started.warning) process.stderr.write(`${started.warning}\n`);
    process.stdout.write(`synthforge view: ${started.server.url} (datasets in ${started.outputsRoot}, runs in ${started.stateDir}); Ctrl-C stops it\n`);
    await stopped;
    await started.server.close();
  });

program
  .command('emulator')
  .description('Serve the OpenAI, Anthropic and Gemini batch APIs locally (the offline provider and test double).')
  .option('--port <n>', 'port to listen on (0 = any free port)', parsePort, 8787)
  .option('--data-dir <dir>', 'keep files and batches here so a restarted emulator still serves them')
  .option('--config <json|file>', 'emulator options as JSON: fault rates, timing, seed, limits')
  .option('--repair-success-rate <rate>', 'share of repair turns answered with valid JSON, 0..1 (default 1, or SYNTHFORGE_EMULATOR_REPAIR_SUCCESS_RATE)', parseRate)
  .option('--answer-words <mean[,spread]>', 'words per free-text answer and string field, drawn from a seeded normal distribution (or SYNTHFORGE_EMULATOR_ANSWER_WORDS)')
  .option('--openai-enqueued-tokens <n>', 'OpenAI queue limit: enqueued prompt tokens per model; a batch past it fails with token_limit_exceeded (env SYNTHFORGE_EMULATOR_OPENAI_ENQUEUED_TOKENS; 0 = none)', parseCount)
  .option('--anthropic-queued-requests <n>', 'Anthropic queue limit: requests not yet processed, all models; a create past it gets 429 (env SYNTHFORGE_EMULATOR_ANTHROPIC_QUEUED_REQUESTS; 0 = none)', parseCount)
  .option('--gemini-enqueued-tokens <n>', 'Gemini queue limit: enqueued prompt tokens per model; a create past it gets 429 RESOURCE_EXHAUSTED (env SYNTHFORGE_EMULATOR_GEMINI_ENQUEUED_TOKENS; 0 = none)', parseCount)
  .addHelpText(
    'after',
    `
Point a run at it through each provider's base-URL variable (any key is accepted):
  OPENAI_BASE_URL=http://127.0.0.1:8787/v1   OPENAI_API_KEY=any
  ANTHROPIC_BASE_URL=http://127.0.0.1:8787   ANTHROPIC_API_KEY=any
  GEMINI_BASE_URL=http://127.0.0.1:8787      GEMINI_API_KEY=any
The banner it prints on start gives the exact URLs for the port it took.
Queue-limit tokens are the emulator's own estimate (about 4 characters per token); real services count their own way.`,
  )
  .action(async (flags: { port: number; dataDir?: string; config?: string; repairSuccessRate?: number; answerWords?: string; openaiEnqueuedTokens?: number; anthropicQueuedRequests?: number; geminiEnqueuedTokens?: number }) => {
    const { emulatorCommand } = await import('./commands/emulator.js');
    const { renderEmulatorBanner } = await import('./render/emulator.js');
    const server = await emulatorCommand(flags);
    process.stdout.write(`${renderEmulatorBanner(server)}\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
  });

/** The `Exit codes:` block of `synthforge --help`, one line per entry of EXIT_CODES. */
function exitCodesHelp(): string {
  const lines = (Object.keys(EXIT_CODES) as ExitKind[]).map((kind) => `  ${String(EXIT_CODES[kind]).padEnd(5)}${EXIT_CODE_MEANINGS[kind]}`);
  return `\nExit codes:\n${lines.join('\n')}\nWhen each one happens and what to do: README.md, section "Exit codes".`;
}

/**
 * Commander ends with 1 on a bad flag, a missing argument or an unknown command; those are bad input,
 * which is exit 2 everywhere else. Help and version output keep their 0. Commander has already
 * printed the message. Set before the commands are added, which inherit it.
 */
function exitForCommanderError(error: CommanderError): never {
  process.exit(error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage);
}

/** A run that failed or hit its budget throws as well, and the error handler prints its message. */
function withoutError(summary: RunSummary): RunSummary {
  const { error: _printedByTheErrorHandler, ...rest } = summary;
  return rest;
}

function parseList(value: string): string[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) throw new InvalidArgumentError('expected one or more names separated by commas');
  return names;
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return count;
}

function parsePositiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('expected a positive whole number');
  return number;
}

function parseRate(value: string): number {
  const rate = Number(value);
  if (value.trim() === '' || !(rate >= 0 && rate <= 1)) throw new InvalidArgumentError('expected a rate 0..1');
  return rate;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('expected a port number 0..65535');
  return port;
}

/**
 * Intended failures print their message (and recipe issues) and exit with their own code; bugs print a
 * stack. Everything printed here passes the secret redactor: an error may quote what a server sent back.
 */
function handleError(thrown: unknown): never {
  commandRunning = false;
  const json = process.argv.includes('--json');
  const redact = (text: string): string => outputRedactor().text(text);
  const error = SynthforgeError.isInstance(thrown) ? thrown : (mapSystemError(thrown) ?? thrown);
  if (SynthforgeError.isInstance(error)) {
    if (json) {
      const body = { type: 'error', error: { code: error.code, message: error.message, ...('issues' in error ? { issues: error.issues } : {}) } };
      process.stdout.write(`${redact(JSON.stringify(body))}\n`);
    } else if (error instanceof RecipeError) {
      const count = error.issues.filter((issue) => issue.severity === 'error').length;
      process.stderr.write(redact(`${renderRecipeIssues(error.issues)}\n${count} error(s) in recipe\n`));
    } else {
      // Coloured after redacting: the redactor matches the message as written.
      process.stderr.write(`${colorLabel(redact(renderErrorMessage(error.message)), colorsFor(process.stderr))}\n`);
    }
    process.exit(error.exitCode);
  }
  if (json) {
    const message = error instanceof Error ? error.message : String(error);
    process.stdout.write(`${redact(JSON.stringify({ type: 'error', error: { code: 'internal', message } }))}\n`);
  }
  process.stderr.write(`synthforge ${TOOL_VERSION}: internal error (a bug; please report it with the command you ran)\n`);
  process.stderr.write(redact(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`));
  process.exit(EXIT_CODES.internal);
}

// A TS recipe is code: if it ends the process with exit code 0 while a command is still working (a
// prompt function calling process.exit(0)), the command did not succeed, whatever the recipe said.
let commandRunning = false;
program.hook('preAction', () => {
  commandRunning = true;
});
process.on('exit', (code) => {
  if (!commandRunning || code !== 0) return;
  process.stderr.write('error: something (a TS recipe calling process.exit?) ended the process with exit code 0 before the command finished\n');
  process.exitCode = EXIT_CODES.usage;
});

// A stream that fails with nobody listening (ENOSPC while writing) surfaces here, not as a rejection.
process.on('uncaughtException', handleError);
program
  .parseAsync(process.argv)
  .then(() => {
    commandRunning = false;
  })
  .catch(handleError);
