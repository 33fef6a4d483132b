import { createHash } from 'node:crypto';

/**
 * The identity of the work a recipe asks for: a hash of the document without `budget`,
 * `max_error_rate`, `min_valid_rate` and `queue_limits` (an account's limits, not the work). Raising the budget of a run that stopped at the budget
 * guard, or a threshold of one that stopped on rejected records or invalid answers, must let it
 * resume, so none of them is part of what makes two runs the same run. Functions (TS prompts) count by their source text, zod schemas
 * by their JSON Schema.
 */
export function recipeWorkHash(document: unknown): string {
  const { budget: _budget, max_error_rate: _maxErrorRate, min_valid_rate: _minValidRate, queue_limits: _queueLimits, ...work } = (document ?? {}) as Record<string, unknown>;
  return createHash('sha256').update(canonicalRecipeJson(work)).digest('hex');
}

/** JSON with sorted keys; functions become their source text, zod schemas their JSON Schema. */
export function canonicalRecipeJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'function') return `function:${item.toString()}`;
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      const zod = item as { toJSONSchema?: () => unknown; _zod?: unknown };
      if (zod._zod && typeof zod.toJSONSchema === 'function') return zod.toJSONSchema();
      return Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return item;
  });
}
