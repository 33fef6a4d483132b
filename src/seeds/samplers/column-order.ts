import type { ColumnSpec } from './sampler-spec.js';

/**
 * Columns in the order they are drawn: each subcategory after the column it depends on, the rest as
 * written. Assumes checkSamplerColumns found no missing parent and no cycle.
 */
export function columnOrder(columns: Record<string, ColumnSpec>): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  const place = (name: string): void => {
    if (placed.has(name)) return;
    const column = columns[name]!;
    const parent = 'subcategory' in column ? column.subcategory.of : undefined;
    if (parent !== undefined) place(parent);
    placed.add(name);
    order.push(name);
  };
  for (const name of Object.keys(columns)) place(name);
  return order;
}
