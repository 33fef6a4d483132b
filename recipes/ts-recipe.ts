/**
 * A TS recipe: zod schemas and prompt functions; each step's output type flows into the next
 * step's record. Run it from the CLI (`synthforge run recipes/ts-recipe.ts --offline`) or from code:
 *
 *   import recipe from './recipes/ts-recipe.js';
 *   const summary = await runRecipe(recipe, { offline: true });
 */
import { z } from 'zod';
import { defineRecipe, steps } from 'synthforge';

const Question = z.object({
  question: z.string().min(15),
  difficulty: z.enum(['easy', 'medium', 'hard']),
});

const Answer = z.object({
  answer: z.string().min(20),
  steps: z.array(z.string()).max(8).optional(),
});

export default defineRecipe({
  name: 'math-word-problems',
  description: 'Word problems with worked answers, generated from code',
  seeds: [{ product: { topic: ['fractions', 'percentages', 'ratios'], setting: ['a bakery', 'a train trip', 'a garden'] } }],
  steps: steps<{ topic: string; setting: string }>()
    .generate('question', {
      model: 'openai/gpt-4o-mini',
      n: 2,
      temperature: 1,
      prompt: (record) => `Write a word problem about ${record.topic} set in ${record.setting}.`,
      schema: Question,
    })
    .filter({ field: 'difficulty', in: ['medium', 'hard'] })
    .generate('answer', {
      model: 'openai/gpt-4o-mini',
      // record.question and record.difficulty are typed: they come from the Question schema.
      prompt: (record) => `Solve this ${record.difficulty} problem step by step: ${record.question}`,
      schema: Answer,
    }),
  output: {
    format: 'alpaca',
    fields: { instruction: '{{ question }}', output: '{{ answer }}' },
  },
});
