import type { ColumnRandom } from './column-random.js';
import type { GaussianSpec, PoissonSpec, UniformSpec } from './sampler-spec.js';

/**
 * Without `round`, a float in [min, max). With `round: d`, every number with d decimals in
 * [min, max] is equally likely (rounding a continuous draw would give the two ends half a share).
 */
export function drawUniform(spec: UniformSpec, random: ColumnRandom): number {
  if (spec.round === undefined) return spec.min + random.nextUnit() * (spec.max - spec.min);
  const scale = 10 ** spec.round;
  const low = Math.ceil(spec.min * scale - 1e-9);
  const high = Math.floor(spec.max * scale + 1e-9);
  return (low + Math.floor(random.nextUnit() * (high - low + 1))) / scale;
}

/** Rejection draws before a truncated gaussian gives up and clamps (bounds many sd from the mean). */
const MAX_GAUSSIAN_TRIES = 1000;

/**
 * Box–Muller, truncated to [min, max] by drawing again (so the shape inside the bounds is the
 * gaussian's, not a pile-up at the edges), rounded before the bounds are checked so a rounded
 * value never falls outside them. Bounds so far out that a thousand draws miss them clamp instead.
 */
export function drawGaussian(spec: GaussianSpec, random: ColumnRandom): number {
  const min = spec.min ?? -Infinity;
  const max = spec.max ?? Infinity;
  let value = spec.mean;
  for (let tries = 0; tries < MAX_GAUSSIAN_TRIES; tries++) {
    const radius = Math.sqrt(-2 * Math.log(1 - random.nextUnit()));
    value = roundTo(spec.mean + spec.sd * radius * Math.cos(2 * Math.PI * random.nextUnit()), spec.round);
    if (value >= min && value <= max) return value;
  }
  return Math.min(max, Math.max(min, value));
}

/** Knuth's product of uniforms for small λ (its cost grows with λ), Hörmann's PTRS above. */
export function drawPoisson(spec: PoissonSpec, random: ColumnRandom): number {
  return spec.lambda < 10 ? poissonKnuth(spec.lambda, random) : poissonPtrs(spec.lambda, random);
}

function poissonKnuth(lambda: number, random: ColumnRandom): number {
  const limit = Math.exp(-lambda);
  let product = random.nextUnit();
  let count = 0;
  while (product > limit) {
    product *= random.nextUnit();
    count++;
  }
  return count;
}

/** W. Hörmann, "The transformed rejection method for generating Poisson random variables" (1993). */
function poissonPtrs(lambda: number, random: ColumnRandom): number {
  const sqrtLambda = Math.sqrt(lambda);
  const logLambda = Math.log(lambda);
  const b = 0.931 + 2.53 * sqrtLambda;
  const a = -0.059 + 0.02483 * b;
  const inverseAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = random.nextUnit() - 0.5;
    const v = random.nextUnit();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(inverseAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * logLambda - logFactorial(k)) return k;
  }
}

/** ln(k!) exactly from a product below 20, Stirling's series above (error < 1e-10 there). */
function logFactorial(k: number): number {
  if (k < 20) {
    let product = 1;
    for (let factor = 2; factor <= k; factor++) product *= factor;
    return Math.log(product);
  }
  const n = k + 1;
  return (n - 0.5) * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * n) - 1 / (360 * n ** 3) + 1 / (1260 * n ** 5);
}

export function roundTo(value: number, decimals: number | undefined): number {
  if (decimals === undefined) return value;
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
