/**
 * A judge step as a generate step: its prompt is written from the rubric (or, pairwise, from the two
 * answers) around the user's own templates, and its output schema from the criteria' scales. Built
 * this way, a judge gets structured outputs, the cache, retries and repair, the ledger and the budget
 * exactly as `generate` does; only what happens to the answers afterwards is its own
 * (judge-records.ts).
 *
 * The answer sits under one key, the step name (`{ quality: { correctness: { reason, score } } }`),
 * so merging it into the record adds that one field and never overwrites a record field that happens
 * to share a criterion's name. `reason` comes before `score` so a model writes its reasoning first.
 */
import type { Fields } from '../domain.js';
import { compileTemplate, type CompiledTemplate } from '../prompt/compile-template.js';
import type { TemplateValue } from '../prompt/template-value.js';
import type { GenerateStep, JudgeStep } from '../recipe/recipe.js';

/** The verdict labels of a pairwise judge: the position an answer was shown in, not which answer it is. */
export const PAIRWISE_LABELS = ['A', 'B'] as const;

const DEFAULT_SYSTEM = 'You are an impartial, strict evaluator. Judge only what is shown. Do not reward length or confidence for its own sake.';

/** A piece of the prompt: the user's template, or text of ours that must reach the model verbatim. */
type Part = TemplateValue | { literal: string };

/** What a compiled generate step keeps of the judge it was written from. */
export interface CompiledJudge {
  step: JudgeStep;
  /** Pairwise: sample 1's prompt, the answers swapped. */
  swappedPrompt?: CompiledTemplate;
  /** Pairwise: the two answers, rendered again into `chosen` / `rejected`. */
  a?: CompiledTemplate;
  b?: CompiledTemplate;
}

export interface JudgeAsGenerate {
  step: GenerateStep;
  /** Pairwise: the prompt with the answers in the other order (sample 1 of each record). */
  swappedPrompt?: TemplateValue;
}

export function judgeAsGenerate(judge: JudgeStep): JudgeAsGenerate {
  const { kind: _kind, mode, target, rubric, keep_if: _keepIf, a, b, reason_max_chars: reasonMax, system, ...shared } = judge;
  const base: Omit<GenerateStep, 'prompt' | 'schema' | 'n'> = { ...shared, kind: 'generate', system: system ?? DEFAULT_SYSTEM };
  if (mode === 'pairwise') {
    const schema = wrap(judge.name, {
      reason: { type: 'string', maxLength: reasonMax },
      better: { type: 'string', enum: [...PAIRWISE_LABELS] },
    });
    return {
      // Both orders of one record are samples 0 and 1 of the same step, so they travel in the same round.
      step: { ...base, n: 2, schema, prompt: pairwisePrompt(target, a!, b!) },
      swappedPrompt: pairwisePrompt(target, b!, a!),
    };
  }
  const criteria = Object.entries(rubric ?? {});
  const properties = Object.fromEntries(
    criteria.map(([name, criterion]) => [
      name,
      object({ reason: { type: 'string', maxLength: reasonMax }, score: { type: 'integer', minimum: criterion.scale[0], maximum: criterion.scale[1] } }),
    ]),
  );
  const lines = criteria.map(([name, criterion]) => `- ${name} (${criterion.scale[0]} to ${criterion.scale[1]}): ${criterion.description}`);
  const prompt = joinParts([
    { literal: 'Judge the following against the rubric below.\n\n<judged>\n' },
    target!,
    { literal: `\n</judged>\n\nRubric: score each criterion on its own scale, higher is better, with a short reason first.\n${lines.join('\n')}\n` },
  ]);
  return { step: { ...base, n: 1, schema: wrap(judge.name, properties), prompt } };
}

function pairwisePrompt(task: TemplateValue | undefined, first: TemplateValue, second: TemplateValue): TemplateValue {
  return joinParts([
    { literal: 'Compare two responses and pick the better one.\n\n' },
    ...(task === undefined ? [] : [{ literal: '<task>\n' }, task, { literal: '\n</task>\n\n' }]),
    { literal: '<response_A>\n' },
    first,
    { literal: '\n</response_A>\n\n<response_B>\n' },
    second,
    {
      literal:
        '\n</response_B>\n\nGive a short reason, then `better`: "A" or "B". The responses are shown in an arbitrary order: do not let the order sway you.\n',
    },
  ]);
}

function object(properties: Record<string, unknown>): Record<string, unknown> {
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
}

function wrap(name: string, properties: Record<string, unknown>): Record<string, unknown> {
  return object({ [name]: object(properties) });
}

/**
 * One template from the parts: Jinja text when every part is text (our text escaped, so a `{` in a
 * criterion's description is printed, not parsed), else a function of the record (a TS recipe's
 * function templates cannot be spliced into Jinja).
 */
function joinParts(parts: Part[]): TemplateValue {
  if (parts.every((part) => typeof part !== 'function')) {
    return parts.map((part) => (typeof part === 'string' ? part : escapeJinja((part as { literal: string }).literal))).join('');
  }
  const renderers = parts.map((part, index): ((fields: Fields) => string) => {
    if (typeof part === 'function') return part;
    if (typeof part !== 'string') return () => part.literal;
    const compiled = compileTemplate(part, { where: `judge part ${index}` });
    return (fields) => compiled.render(fields);
  });
  return (fields: Fields) => renderers.map((render) => render(fields)).join('');
}

function escapeJinja(text: string): string {
  return text.replace(/\{/g, "{{ '{' }}");
}
