import { Environment } from '@huggingface/jinja';
import { DEFAULT_RENDER_LIMITS, RenderLimitExceeded, formatCount, type RenderLimits } from './render-limits.js';

/**
 * The names every template can use without a field providing them. We build this environment
 * ourselves instead of calling `Template.render`, for two reasons:
 * - `Template.render` declares its globals first and throws "Variable already declared" when a record
 *   has a field named `range` (say, a CSV column); here a field shadows a global function, as a
 *   Python Jinja context variable does;
 * - `strftime_now` is left out: a prompt that reads the clock renders differently on every run, which
 *   defeats the response cache and reproducible datasets.
 * The literals true/false/none (and their title-case forms) cannot be shadowed: in Jinja they are
 * keywords, not variables.
 */
export const JINJA_LITERALS: ReadonlyMap<string, boolean | null> = new Map([
  ['true', true],
  ['false', false],
  ['none', null],
  ['True', true],
  ['False', false],
  ['None', null],
]);

export function createGlobalEnvironment(limits: RenderLimits = DEFAULT_RENDER_LIMITS): Environment {
  const environment = new Environment(); // already holds namespace()
  for (const [name, value] of JINJA_LITERALS) environment.set(name, value);
  environment.set('range', (start: unknown, stop?: unknown, step?: unknown) => range(limits, start, stop, step));
  environment.set('raise_exception', (message: unknown) => {
    throw new Error(String(message));
  });
  // The library finds a name by walking up to the root and throwing there when nobody declares it;
  // lookupVariable catches that and yields undefined. An optional field a record lacks (`x | default`)
  // cost a thrown Error with its stack trace per render, about a fifth of rendering a prompt. The root
  // answering for every name it lacks gives the same undefined without the throw.
  Object.defineProperty(environment, 'resolve', { value: () => environment });
  return environment;
}

/** Every name the global environment defines; template analysis treats them as bound. */
export const JINJA_GLOBAL_NAMES: ReadonlySet<string> = new Set(createGlobalEnvironment().variables.keys());

/** The globals a record field may replace: all but the literals. */
export const SHADOWABLE_GLOBAL_NAMES: readonly string[] = [...JINJA_GLOBAL_NAMES].filter((name) => !JINJA_LITERALS.has(name));

/**
 * Python's range(stop) / range(start, stop[, step]). The length is checked before the list exists:
 * `range(100000000)` would otherwise allocate a hundred million values before any loop bound saw it.
 */
function range(limits: RenderLimits, start: unknown, stop?: unknown, step: unknown = 1): number[] {
  const [from, to] = stop === undefined || stop === null ? [0, start] : [start, stop];
  if (step === undefined || step === null) step = 1;
  if (!Number.isInteger(from) || !Number.isInteger(to) || !Number.isInteger(step)) {
    throw new Error('range() arguments must be integers');
  }
  const [first, last, increment] = [from as number, to as number, step as number];
  if (increment === 0) throw new Error('range() step must not be zero');
  const length = Math.max(0, Math.ceil((last - first) / increment));
  if (length > limits.maxItems) {
    throw new RenderLimitExceeded('items', `range() of ${formatCount(length)} numbers is over the limit of ${formatCount(limits.maxItems)}`);
  }
  const values: number[] = [];
  for (let value = first; increment > 0 ? value < last : value > last; value += increment) values.push(value);
  return values;
}
