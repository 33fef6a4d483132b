/**
 * The package as a training repo installs it: the built declarations and package.json under
 * node_modules/synthforge, beside only what installing it brings (its dependencies and peer
 * dependencies, never its devDependencies), type-checked by a strict consumer project with
 * `skipLibCheck: false`. Needs `dist/` (the test suite builds it first).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const REPO = process.cwd();

const CONSUMER = `
import { z } from 'zod';
import { defineRecipe, planRun, runRecipe, steps, type RecipeArgument, type RunSummary } from 'synthforge';

// The training repo's own zod schema, used by the recipe and by the repo's own code alike.
const Question = z.object({ question: z.string().min(10), topic: z.enum(['tea', 'coffee']) });
export type Question = z.infer<typeof Question>;

export const listed = defineRecipe({
  name: 'consumer-listed',
  seeds: [{ inline: [{ topic: 'tea' }, { topic: 'coffee' }] }],
  steps: [
    { generate: 'question', model: 'openai/gpt-4o-mini', prompt: 'Ask about {{ topic }}', schema: Question },
    { embed: 'vector', model: 'openai/text-embedding-3-small', input: 'question', dimensions: 64 },
    { dedup: { semantic: { field: 'vector', threshold: 0.95 } } },
  ],
  output: { format: 'raw' },
});

export const chained = defineRecipe({
  name: 'consumer-chained',
  seeds: [{ inline: [{ topic: 'tea' }] }],
  steps: steps<{ topic: string }>()
    .generate('question', { model: 'openai/gpt-4o-mini', prompt: (record) => \`Ask about \${record.topic}\`, schema: Question })
    .embed('vector', { model: 'openai/text-embedding-3-small', input: (record) => record.question })
    .dedup({ fields: ['question'], near: { threshold: 0.8 } })
    .generate('answer', {
      model: 'anthropic/claude-haiku-4-5',
      // The builder types the record: the question, and the vector the embed step added.
      prompt: (record) => \`Answer (\${record.vector.length} dims): \${record.question}\`,
      schema: z.object({ answer: z.string() }),
    }),
});

// RecipeArgument is the recipe's type, not \`object\`: a misspelt key is a compile error.
// @ts-expect-error budgett is not a recipe key
export const misspelt: RecipeArgument = { name: 'typo', seeds: [], steps: [], budgett: { max_usd: 1 } };

export async function main(): Promise<RunSummary> {
  const argument: RecipeArgument = chained;
  const plan = await planRun(listed);
  const planned: number = plan.steps.length;
  const fromFile = await planRun('recipes/quickstart.yaml', undefined, { cwd: '.' });
  console.log(planned, fromFile.steps.length);
  return runRecipe(argument, { offline: true });
}
`;

/** Installs a symlink to the repo's copy of `name` (a scoped name keeps its scope folder). */
function linkPackage(nodeModules: string, name: string): void {
  const target = join(REPO, 'node_modules', name);
  if (!existsSync(target)) throw new Error(`${name} is not installed in the repository`);
  mkdirSync(dirname(join(nodeModules, name)), { recursive: true });
  symlinkSync(target, join(nodeModules, name), 'dir');
}

describe('the published types', () => {
  it('type-check in a strict consumer project with skipLibCheck false: defineRecipe with generate, embed and dedup, steps(), runRecipe, planRun, its own zod', () => {
    if (!existsSync(join(REPO, 'dist', 'index.d.ts'))) throw new Error('dist/ is missing: build first (npx tsc -p tsconfig.build.json)');
    const project = tempDir();
    const nodeModules = join(project, 'node_modules');
    const installed = join(nodeModules, 'synthforge');
    mkdirSync(installed, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    writeFileSync(join(installed, 'package.json'), JSON.stringify(manifest));
    // A copy, not a link: through a link, imports would resolve from the repository's own node_modules.
    cpSync(join(REPO, 'dist'), join(installed, 'dist'), { recursive: true, filter: (source) => !/\.(js|map)$/.test(source) });
    for (const name of [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies ?? {})]) linkPackage(nodeModules, name);
    linkPackage(nodeModules, '@types/node');

    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true, types: ['node'] },
        include: ['*.ts'],
      }),
    );
    writeFileSync(join(project, 'consumer.ts'), CONSUMER);

    const tsc = spawnSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8', timeout: 170_000 });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 180_000);
});
