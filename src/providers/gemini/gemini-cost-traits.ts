// Placeholder until the cost/ change lands (replaced at merge).
import type { CostTraits } from '../../cost/cost-traits.js';
import { chooseTokenizer, SCHEMA_FRAMING_TOKENS } from '../../cost/estimate-tokens.js';
import { isReasoningModel } from '../../cost/estimate-output-tokens.js';

export const GEMINI_COST_TRAITS: CostTraits = {
  batchPriceFactor: 0.5,
  local: false,
  priceId: (model) => model,
  tokenizer: (model) => chooseTokenizer({ provider: 'gemini', model }),
  schemaFramingTokens: SCHEMA_FRAMING_TOKENS['gemini'],
  reasoningModel: (model) => isReasoningModel({ provider: 'gemini', model }),
};
