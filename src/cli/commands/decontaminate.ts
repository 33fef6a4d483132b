import { resolve } from 'node:path';
import { decontaminateVersion, type DecontaminateVersionReport } from '../../engine/decontaminate-version.js';

export interface DecontaminateCommandOptions {
  /** `<dataset>[@vN]`. */
  ref: string;
  against: string[];
  fields?: string[];
  evalFields?: string[];
  ngram?: number;
  cwd: string;
  /** The dataset output root (default `outputs`). */
  out?: string;
}

/** `synthforge decontaminate <dataset>@vN --against PATH…`: a new version without the rows that overlap the evaluation set. */
export async function decontaminateCommand(options: DecontaminateCommandOptions): Promise<DecontaminateVersionReport> {
  return decontaminateVersion({
    outputsRoot: resolve(options.cwd, options.out ?? 'outputs'),
    ref: options.ref,
    against: options.against,
    baseDir: options.cwd,
    ...(options.fields ? { fields: options.fields } : {}),
    ...(options.evalFields ? { evalFields: options.evalFields } : {}),
    ...(options.ngram === undefined ? {} : { ngram: options.ngram }),
  });
}
