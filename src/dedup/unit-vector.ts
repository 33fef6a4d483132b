import { DedupVectorError } from './errors.js';

/**
 * Vectors for semantic dedup, checked and L2-normalised:
 *
 *     û = u / ‖u‖₂            cos(u, v) = (u · v) / (‖u‖ ‖v‖) = û · v̂
 *
 * so the index stores unit vectors and every comparison is one dot product. Embedding APIs already
 * return unit vectors (OpenAI's do), but a seed column or another model may not, and normalising a
 * unit vector again changes it by at most one float32 rounding, so we always normalise.
 *
 * The norm is computed in float64 after dividing by the largest |component|, so components near
 * 1e±200 neither overflow nor underflow; the unit vector is then stored in float32 (24-bit
 * mantissa: each component within 6e-8 relative, cosines within ≈ 1e-6 for a few thousand
 * dimensions). Its length is padded with zeros to `stride`, a multiple of 4 for the SIMD kernel
 * (wasm/cosine-wasm.wat); zeros add nothing to a dot product.
 *
 * A record's vector is rejected, with its id, when it is missing, not a list of finite numbers, of
 * another length than the first vector seen (cosine across dimensions is meaningless), or all zeros
 * (no direction, so no cosine).
 */

/** The float32 stride for a dimension: rounded up to a multiple of 4 lanes. */
export function strideOf(dimension: number): number {
  return Math.ceil(dimension / 4) * 4;
}

export type VectorSource = { recordId: string | undefined; field: string };

/** The length of a would-be vector; throws as writeUnitVector does when it is not a non-empty list. */
export function vectorLengthOf(value: unknown, source: VectorSource): number {
  checkShape(value, source);
  return (value as ArrayLike<unknown>).length;
}

function checkShape(value: unknown, source: VectorSource): void {
  if (value === undefined) throw new DedupVectorError('missing', 'is missing; every record needs a vector (an embed step writes one)', source);
  if (!Array.isArray(value) && !(value instanceof Float32Array) && !(value instanceof Float64Array)) {
    throw new DedupVectorError('not-a-vector', `is ${describe(value)}, not a list of numbers`, source);
  }
  if (value.length === 0) throw new DedupVectorError('not-a-vector', 'is an empty list', source);
}

/**
 * Checks `value` and writes its unit vector to `out[0, dimension)`, zeros to `out[dimension, stride)`.
 * `expectedDimension` undefined means "any length" (the first vector sets it). Returns the dimension.
 */
export function writeUnitVector(value: unknown, expectedDimension: number | undefined, out: Float32Array, source: VectorSource): number {
  checkShape(value, source);
  const components = value as ArrayLike<unknown>;
  const dimension = components.length;
  if (expectedDimension !== undefined && dimension !== expectedDimension) {
    throw new DedupVectorError('dimension', `has ${dimension} dimensions, but the vectors before it have ${expectedDimension}`, {
      ...source,
      dimension,
      expectedDimension,
    });
  }
  let largest = 0;
  for (let index = 0; index < dimension; index++) {
    const component = components[index];
    if (typeof component !== 'number' || !Number.isFinite(component)) {
      throw new DedupVectorError('not-finite', `has ${describe(component)} at index ${index}; every component must be a finite number`, {
        ...source,
        index,
      });
    }
    const magnitude = Math.abs(component);
    if (magnitude > largest) largest = magnitude;
  }
  if (largest === 0) throw new DedupVectorError('zero', 'is all zeros: it has no direction, so no cosine similarity', source);
  let sumOfSquares = 0;
  for (let index = 0; index < dimension; index++) {
    const scaled = (components[index] as number) / largest;
    sumOfSquares += scaled * scaled;
  }
  const norm = Math.sqrt(sumOfSquares);
  for (let index = 0; index < dimension; index++) out[index] = (components[index] as number) / largest / norm;
  out.fill(0, dimension);
  return dimension;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)})`;
  if (typeof value === 'number') return String(value);
  return `a ${typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value}`;
}
