import { UsageError } from '../errors.js';

export interface DatasetRef {
  dataset: string;
  /** A version number, or 'latest'. */
  version: number | 'latest';
}

/** `support-qa`, `support-qa@latest`, `support-qa@v3` (or `@3`). */
export function parseDatasetRef(ref: string): DatasetRef {
  const at = ref.lastIndexOf('@');
  const dataset = at === -1 ? ref : ref.slice(0, at);
  const version = at === -1 ? 'latest' : ref.slice(at + 1);
  if (dataset === '') throw new UsageError('dataset_ref_invalid', `"${ref}" names no dataset; expected <dataset>[@v<N>]`);
  return { dataset, version: parseVersion(version, ref) };
}

export function parseVersion(text: string, context = text): number | 'latest' {
  if (text === 'latest') return 'latest';
  const match = /^v?([1-9]\d*)$/.exec(text);
  if (!match) throw new UsageError('dataset_ref_invalid', `"${context}": "${text}" is not a version; expected v<N> or latest`);
  return Number(match[1]);
}
