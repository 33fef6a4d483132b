import { relative, isAbsolute } from 'node:path';
import { NormalizedText, normalizeInto, type NormalizeOptions } from '../dedup/normalize.js';
import { DEFAULT_DECONTAM_NGRAM } from './decontaminate-spec.js';
import { findEvalFiles } from './eval-set-files.js';
import { forEachNgramHash, ngramWords } from './ngram-hashes.js';
import { NgramHashSet } from './ngram-hash-set.js';
import { readEvalItems } from './read-eval-items.js';


export interface EvalIndexOptions {
  /** Paths of files or dataset folders, resolved against `baseDir`. */
  against: readonly string[];
  /** The fields of each evaluation item to compare (default: its strings). */
  evalFields?: readonly string[];
  ngram?: number;
  baseDir: string;
}

/** What a contaminated text matched: the evaluation item (`file:line`) and the n-gram's words. */
export interface ContaminationMatch {
  eval_item: string;
  ngram: string;
}

/** Normalised as dedup does by default, so "Paris," and "paris" are the same word to both. */
const NORMALIZE: NormalizeOptions = { foldDigits: false };

/**
 * Every word n-gram of an evaluation set, hashed into one compact set (ngram-hash-set.ts), with
 * the first item each came from. Items are streamed: memory is the set (≈ 16–24 bytes an n-gram)
 * plus one small number per item, whatever the files' size.
 */
export class EvalIndex {
  private readonly buffer = new NormalizedText();
  private readonly fileNames: string[] = [];
  private itemFiles = new Uint32Array(1024);
  private itemPositions = new Uint32Array(1024);
  private itemCount = 0;

  private constructor(
    readonly ngram: number,
    private readonly set: NgramHashSet,
  ) {}

  static async build(options: EvalIndexOptions): Promise<EvalIndex> {
    const index = new EvalIndex(options.ngram ?? DEFAULT_DECONTAM_NGRAM, new NgramHashSet());
    const files = [];
    for (const written of options.against) files.push(...(await findEvalFiles(written, options.baseDir)));
    for (const file of files) {
      const fileIndex = index.fileNames.push(displayPath(file.path, options.baseDir)) - 1;
      for await (const item of readEvalItems(file, options.evalFields)) index.addItem(fileIndex, item.position, item.texts);
    }
    return index;
  }

  get items(): number {
    return this.itemCount;
  }

  get ngrams(): number {
    return this.set.size;
  }

  get bytes(): number {
    return this.set.bytes + this.itemFiles.byteLength + this.itemPositions.byteLength;
  }

  /** The first n-gram of the texts found in the evaluation set, or undefined for clean texts. */
  match(texts: readonly string[]): ContaminationMatch | undefined {
    const n = this.ngram;
    const set = this.set;
    for (const text of texts) {
      normalizeInto(text, NORMALIZE, this.buffer);
      let item = -1;
      let start = 0;
      forEachNgramHash(this.buffer, n, (high, low, at) => {
        item = set.find(high, low);
        start = at;
        return item >= 0;
      });
      if (item >= 0) return { eval_item: this.refOf(item), ngram: ngramWords(this.buffer, start, n) };
    }
    return undefined;
  }

  private addItem(fileIndex: number, position: number, texts: readonly string[]): void {
    const item = this.itemCount++;
    if (item === this.itemFiles.length) {
      this.itemFiles = grown(this.itemFiles);
      this.itemPositions = grown(this.itemPositions);
    }
    this.itemFiles[item] = fileIndex;
    this.itemPositions[item] = position;
    for (const text of texts) {
      normalizeInto(text, NORMALIZE, this.buffer);
      forEachNgramHash(this.buffer, this.ngram, (high, low) => this.set.add(high, low, item));
    }
  }

  private refOf(item: number): string {
    return `${this.fileNames[this.itemFiles[item]!]}:${this.itemPositions[item]}`;
  }
}

function grown(array: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> {
  const next = new Uint32Array(array.length * 2);
  next.set(array);
  return next;
}

/** Inside the base folder, the path from it (what the user wrote); outside, the absolute path. */
function displayPath(path: string, baseDir: string): string {
  const fromBase = relative(baseDir, path);
  return fromBase.startsWith('..') || isAbsolute(fromBase) ? path : fromBase;
}
