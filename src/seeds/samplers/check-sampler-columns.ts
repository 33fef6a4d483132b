import { didYouMean } from '../../issues.js';

/** The part of a column this check reads; the full model is in sampler-spec.ts. */
type ColumnShape = {
  category?: { values: unknown[] } | undefined;
  subcategory?: { of: string; values: Record<string, unknown[]> } | undefined;
  [sampler: string]: unknown;
};

/**
 * It also runs on columns that failed their own schema (so all problems show in one pass): only
 * the parts this check reads are kept, and only when they have the right shape.
 */
function wellFormed(columns: Record<string, unknown>): Record<string, ColumnShape> {
  const kept: Record<string, ColumnShape> = {};
  for (const [name, column] of Object.entries(columns)) {
    if (!isObject(column)) continue;
    const shape: ColumnShape = {};
    for (const key of Object.keys(column)) shape[key] = true;
    const { category, subcategory } = column;
    shape.category = isObject(category) && Array.isArray(category.values) ? { values: category.values } : undefined;
    if (isObject(subcategory) && typeof subcategory.of === 'string' && isObject(subcategory.values)) {
      const lists = Object.entries(subcategory.values).filter((entry): entry is [string, unknown[]] => Array.isArray(entry[1]));
      shape.subcategory = { of: subcategory.of, values: Object.fromEntries(lists) };
    } else shape.subcategory = undefined;
    kept[name] = shape;
  }
  return kept;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface SamplerColumnProblem {
  /** Key path below `columns`. */
  path: (string | number)[];
  message: string;
}

/**
 * What a single column's schema cannot see: each `subcategory` names an existing category or
 * subcategory column (no cycles), and gives values for exactly the values its parent can take, so
 * no record is left without a value and a misspelt key is not silently never drawn.
 */
export function checkSamplerColumns(raw: Record<string, unknown>): SamplerColumnProblem[] {
  const columns = wellFormed(raw);
  const problems: SamplerColumnProblem[] = [];
  const names = Object.keys(columns);
  for (const [name, column] of Object.entries(columns)) {
    const sub = column.subcategory;
    if (sub === undefined) continue;
    const at = [name, 'subcategory', 'of'];
    const parent = columns[sub.of];
    if (parent === undefined) {
      const guess = didYouMean(sub.of, names);
      const hint = guess ? ` (did you mean "${guess}"?)` : '';
      problems.push({ path: at, message: `"${sub.of}" names no column${hint}; columns: ${names.join(', ')}` });
      continue;
    }
    if (parent.category === undefined && parent.subcategory === undefined) {
      const kind = Object.keys(parent).find((key) => parent[key] !== undefined) ?? 'column';
      problems.push({ path: at, message: `a subcategory depends on a category or subcategory column; "${sub.of}" is a ${kind}` });
      continue;
    }
    if (inCycle(columns, name)) {
      problems.push({ path: at, message: `subcategories depend on each other in a cycle: ${cyclePath(columns, name).join(' → ')}` });
      continue;
    }
    problems.push(...checkCoverage(name, sub.values, parentValues(columns, sub.of)));
  }
  return problems;
}

function checkCoverage(name: string, values: Record<string, unknown[]>, parentValues: string[]): SamplerColumnProblem[] {
  const problems: SamplerColumnProblem[] = [];
  const keys = Object.keys(values);
  for (const key of keys) {
    if (parentValues.includes(key)) continue;
    const guess = didYouMean(key, parentValues);
    const hint = guess ? ` (did you mean "${guess}"?)` : '';
    problems.push({ path: [name, 'subcategory', 'values', key], message: `"${key}" is not a value of the parent column${hint}; its values: ${parentValues.join(', ')}` });
  }
  const missing = parentValues.filter((value) => !keys.includes(value));
  if (missing.length > 0) {
    problems.push({ path: [name, 'subcategory', 'values'], message: `no values for ${missing.map((value) => `"${value}"`).join(', ')}: every value of the parent column needs a list` });
  }
  return problems;
}

/** Every value a category or subcategory column can take, as the strings subcategory keys are written in. */
function parentValues(columns: Record<string, ColumnShape>, name: string): string[] {
  const column = columns[name]!;
  if (column.category) return [...new Set(column.category.values.map(String))];
  const lists = Object.values(column.subcategory!.values);
  return [...new Set(lists.flat().map(String))];
}

function inCycle(columns: Record<string, ColumnShape>, start: string): boolean {
  return cyclePath(columns, start).at(-1) === start;
}

/** Follows `of` links from `start` until a column without a parent, or one already seen. */
function cyclePath(columns: Record<string, ColumnShape>, start: string): string[] {
  const path = [start];
  let current = columns[start]?.subcategory?.of;
  while (current !== undefined && columns[current] !== undefined) {
    path.push(current);
    if (path.indexOf(current) !== path.length - 1) break;
    current = columns[current]!.subcategory?.of;
  }
  return path;
}
