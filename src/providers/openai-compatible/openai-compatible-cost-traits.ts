// Placeholder until the cost/ change lands (replaced at merge).
import type { CostTraits } from '../../cost/cost-traits.js';
import { chooseTokenizer, SCHEMA_FRAMING_TOKENS } from '../../cost/estimate-tokens.js';
import { isReasoningModel } from '../../cost/estimate-output-tokens.js';

export const OPENAI_COMPATIBLE_COST_TRAITS: CostTraits = {
  batchPriceFactor: 1,
  local: true,
  priceId: (model) => model,
  tokenizer: (model) => chooseTokenizer({ provider: 'openai-compatible', model }),
  schemaFramingTokens: SCHEMA_FRAMING_TOKENS['openai-compatible'],
  reasoningModel: (model) => isReasoningModel({ provider: 'openai-compatible', model }),
};
