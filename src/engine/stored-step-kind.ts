import type { Step } from '../recipe/recipe.js';

/**
 * The kind a step is recorded under in the run store. A decontaminate step is stored as a `filter`
 * (both are streamed local steps that only remove records): the steps table's CHECK constraint
 * lists the kinds, and a new one would need a store migration for no behaviour the store has. The
 * manifest and the summary keep the real kind.
 */
export function storedStepKind(kind: Step['kind']): Exclude<Step['kind'], 'decontaminate'> {
  return kind === 'decontaminate' ? 'filter' : kind;
}
