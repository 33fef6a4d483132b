import type { Step } from '../recipe/recipe.js';

/**
 * The kind a step is recorded under in the run store. The steps table's CHECK constraint lists the
 * kinds the store has behaviour for, and a new one would need a store migration for nothing: a judge
 * is stored as the `generate` step it compiles to, a decontaminate step as a `filter` (both are
 * streamed local steps that only remove records). The manifest and the summary keep the real kind.
 */
export function storedStepKind(kind: Step['kind']): Exclude<Step['kind'], 'decontaminate' | 'judge'> {
  if (kind === 'decontaminate') return 'filter';
  if (kind === 'judge') return 'generate';
  return kind;
}
