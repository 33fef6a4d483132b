import type { Fields } from '../../domain.js';
import { entryPosition, type RawSeed, type SeedSourceSpec } from '../seed-source.js';
import { columnOrder } from './column-order.js';
import { columnRandom, type ColumnRandom } from './column-random.js';
import { drawDatetime } from './draw-datetime.js';
import { drawGaussian, drawPoisson, drawUniform } from './draw-number.js';
import { personSampler } from './draw-person.js';
import { drawUuid } from './draw-uuid.js';
import type { CategorySpec, ColumnSpec } from './sampler-spec.js';

type SamplersSource = SeedSourceSpec & { kind: 'samplers' };

/** Draws one column's value for a record (which holds the columns drawn before it). */
type ColumnSampler = (record: Fields) => unknown;

/**
 * `count` records, each column from its own seeded stream, in dependency order; fields keep the
 * order the columns are written. Call checkSamplerColumns first (the recipe schema does).
 */
export function* sampleRecords(spec: SamplersSource): Generator<RawSeed> {
  const entry = entryPosition(spec);
  const written = Object.keys(spec.columns);
  const samplers = columnOrder(spec.columns).map((name) => [name, columnSampler(spec.columns[name]!, columnRandom(spec.seed, name))] as const);
  for (let ordinal = 0; ordinal < spec.count; ordinal++) {
    const drawn: Fields = {};
    for (const [name, sample] of samplers) drawn[name] = sample(drawn);
    const fields = Object.fromEntries(written.map((name) => [name, drawn[name]]));
    yield { fields, ordinal, position: { ...entry, record: ordinal + 1 } };
  }
}

function columnSampler(column: ColumnSpec, random: ColumnRandom): ColumnSampler {
  if ('category' in column) return categorySampler(column.category, random);
  if ('subcategory' in column) {
    const { of, values } = column.subcategory;
    const byParent = new Map(Object.entries(values).map(([key, list]) => [key, categorySampler({ values: list }, random)]));
    return (record) => byParent.get(String(record[of]))!(record);
  }
  if ('uniform' in column) return () => drawUniform(column.uniform, random);
  if ('gaussian' in column) return () => drawGaussian(column.gaussian, random);
  if ('poisson' in column) return () => drawPoisson(column.poisson, random);
  if ('datetime' in column) return () => drawDatetime(column.datetime, random);
  if ('uuid' in column) return () => drawUuid(random);
  return personSampler(column.person, random);
}

/** Inverse CDF over the cumulative weights (equal weights when none are given). */
function categorySampler(spec: CategorySpec, random: ColumnRandom): ColumnSampler {
  const weights = spec.weights ?? spec.values.map(() => 1);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let running = 0;
  const cumulative = weights.map((weight) => (running += weight / total));
  const last = weights.findLastIndex((weight) => weight > 0);
  return () => {
    const target = random.nextUnit();
    let low = 0;
    let high = last;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle]! > target) high = middle;
      else low = middle + 1;
    }
    return spec.values[low];
  };
}
