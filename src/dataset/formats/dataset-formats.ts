import type { OutputFormat } from '../output-spec.js';
import { alpacaFormat, type AlpacaRow } from './alpaca-format.js';
import type { DatasetFormat } from './format-helpers.js';
import { openAIChatFormat, type OpenAIChatRow } from './openai-chat-format.js';
import { preferenceFormat, type PreferenceRow } from './preference-format.js';
import { promptCompletionFormat, type PromptCompletionRow } from './prompt-completion-format.js';
import { rawFormat, type RawRow } from './raw-format.js';
import { shareGPTFormat, type ShareGPTRow } from './sharegpt-format.js';

/** The row type each output format writes. */
export interface RowOfFormat {
  raw: RawRow;
  'openai-chat': OpenAIChatRow;
  sharegpt: ShareGPTRow;
  alpaca: AlpacaRow;
  'prompt-completion': PromptCompletionRow;
  preference: PreferenceRow;
}

export type DatasetRow = RowOfFormat[OutputFormat];

export const DATASET_FORMATS: { readonly [F in OutputFormat]: DatasetFormat<RowOfFormat[F]> } = {
  raw: rawFormat,
  'openai-chat': openAIChatFormat,
  sharegpt: shareGPTFormat,
  alpaca: alpacaFormat,
  'prompt-completion': promptCompletionFormat,
  preference: preferenceFormat,
};
