import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { exportDataset, type ExportReport } from '../../dataset/export-dataset.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../../dataset/output-spec.js';

export interface ExportCommandOptions {
  /** `<dataset>[@vN]`. */
  ref: string;
  format: string;
  /** The file to write (`--out FILE`); `.parquet` writes Parquet, anything else JSONL. */
  file: string;
  cwd: string;
  /** The dataset output root (default `outputs`). */
  out?: string;
  split?: string;
  keepId?: boolean;
  force?: boolean;
  compression?: string;
}

/** `synthforge export <dataset>@vN --format F --out FILE`: one file in any output format. */
export async function exportCommand(options: ExportCommandOptions): Promise<ExportReport> {
  if (!(OUTPUT_FORMATS as readonly string[]).includes(options.format)) {
    throw new UsageError('format_unknown', `unknown format "${options.format}"; expected one of: ${OUTPUT_FORMATS.join(', ')}`);
  }
  if (options.compression !== undefined && options.compression !== 'zstd' && options.compression !== 'snappy') {
    throw new UsageError('compression_unknown', `unknown compression "${options.compression}"; expected zstd or snappy`);
  }
  return exportDataset({
    outputsRoot: resolve(options.cwd, options.out ?? 'outputs'),
    ref: options.ref,
    format: options.format as OutputFormat,
    file: resolve(options.cwd, options.file),
    ...(options.split === undefined ? {} : { split: options.split }),
    ...(options.keepId === undefined ? {} : { keepId: options.keepId }),
    ...(options.force === undefined ? {} : { overwrite: options.force }),
    ...(options.compression === undefined ? {} : { compression: options.compression }),
  });
}
