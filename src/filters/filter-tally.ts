import type { FilterVerdict } from './compile-filter.js';

export type FilterTallyEntry = { rule: string; removed: number };

/**
 * Counts removed records per rule for the manifest. Seeded with `RecordFilter.rules`, it lists every
 * rule in written order, zeros included (a rule that removed nothing is worth seeing); any other rule
 * it meets comes after, sorted by name, so the output does not depend on the order records arrive in.
 */
export class FilterTally {
  readonly #removed = new Map<string, number>();
  readonly #seeded: readonly string[];
  #kept = 0;

  constructor(rules: readonly string[] = []) {
    this.#seeded = [...new Set(rules)];
    for (const rule of this.#seeded) this.#removed.set(rule, 0);
  }

  count(verdict: FilterVerdict): void {
    if (verdict.keep) this.#kept += 1;
    else this.#removed.set(verdict.rule, (this.#removed.get(verdict.rule) ?? 0) + 1);
  }

  get kept(): number {
    return this.#kept;
  }

  get removed(): number {
    let total = 0;
    for (const count of this.#removed.values()) total += count;
    return total;
  }

  toJSON(): FilterTallyEntry[] {
    const seeded = new Set(this.#seeded);
    const others = [...this.#removed.keys()].filter((rule) => !seeded.has(rule)).sort();
    return [...this.#seeded, ...others].map((rule) => ({ rule, removed: this.#removed.get(rule) ?? 0 }));
  }
}
