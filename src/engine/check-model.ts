/**
 * Whether a step's model exists, judged against the model catalogue (cost/model-catalogue.ts)
 * before anything is sent: a misspelt `gpt-4o-mni` would otherwise pass validate, cost "unknown"
 * in plan, and fail only at the provider. Hosted providers are checked; a server the user runs
 * (`cost.local`) serves whatever it was started with, so its models are not.
 *
 * An unknown model is an error with a did-you-mean, unless the step says `model_check: warn` (a model
 * newer than the catalogue). A model the account made itself (`capabilities.customModel`: OpenAI
 * `ft:`), a dated snapshot the catalogue does not list of a model it does, and a deprecated model are
 * warnings: the provider has the last word on those when the run starts.
 */
import { catalogueNames, findCatalogueModel, MODEL_CATALOGUE, MODEL_CATALOGUE_VERSION, type ModelKind } from '../cost/model-catalogue.js';
import { PROVIDER_IDS, type ModelRef } from '../domain.js';
import { didYouMean } from '../issues.js';
import type { ProviderCapabilities } from '../providers/batch-provider.js';

export interface ModelFinding {
  severity: 'error' | 'warning';
  code: 'unknown_model' | 'model_kind_mismatch' | 'model_custom' | 'model_unlisted_snapshot' | 'model_deprecated';
  message: string;
}

export interface ModelCheckInput {
  model: ModelRef;
  /** What the step needs: a chat model (generate) or an embedding model (embed). */
  kind: ModelKind;
  capabilities: ProviderCapabilities;
  check: 'strict' | 'warn';
}

export function checkModel({ model, kind, capabilities, check }: ModelCheckInput): ModelFinding | undefined {
  if (capabilities.cost.local) return undefined;
  const { provider } = model;
  const name = capabilities.cost.priceId(model.model);
  if (capabilities.customModel?.test(name)) {
    return {
      severity: 'warning',
      code: 'model_custom',
      message: `${provider}/${name} is a model of your own account, which no catalogue lists: ${provider} checks it when the run starts, and its cost is unknown unless prices: names it`,
    };
  }
  const match = findCatalogueModel(provider, name);
  if (!match) return unknownModel(model, name, kind, check);
  if (match.model.kind !== kind) return kindMismatch(model, name, match.model.kind, kind);
  if (match.model.deprecated) {
    return { severity: 'warning', code: 'model_deprecated', message: `${provider}/${name} is deprecated (${match.model.deprecated}); it may stop working` };
  }
  if (match.via === 'snapshot') {
    return {
      severity: 'warning',
      code: 'model_unlisted_snapshot',
      message: `${provider}/${name} is not a snapshot the model catalogue (${MODEL_CATALOGUE_VERSION}) lists; taken as ${match.model.id} and priced like it`,
    };
  }
  return undefined;
}

function unknownModel(model: ModelRef, name: string, kind: ModelKind, check: 'strict' | 'warn'): ModelFinding {
  const { provider } = model;
  const names = catalogueNames(provider, kind);
  const guess = didYouMean(name, names);
  const elsewhere = PROVIDER_IDS.find((other) => other !== provider && findCatalogueModel(other, name) !== undefined);
  const hint = guess !== undefined ? ` (did you mean ${guess}?)` : elsewhere !== undefined ? ` (${elsewhere} serves it: did you mean ${elsewhere}/${name}?)` : '';
  const head = `unknown ${provider} model "${name}"${hint}`;
  if (check === 'warn') {
    return {
      severity: 'warning',
      code: 'unknown_model',
      message: `${head}: not in the model catalogue (${MODEL_CATALOGUE_VERSION}); sent as written (model_check: warn), so ${provider} decides, and its cost is unknown unless prices: names it`,
    };
  }
  const listed = guess === undefined && elsewhere === undefined ? `; the model catalogue (${MODEL_CATALOGUE_VERSION}) lists ${kind} models ${idsOf(provider, kind).join(', ')}` : '';
  return {
    severity: 'error',
    code: 'unknown_model',
    message: `${head}${listed}; a model newer than the catalogue is accepted with model_check: warn on this step`,
  };
}

function kindMismatch(model: ModelRef, name: string, actual: ModelKind, needed: ModelKind): ModelFinding {
  const step = needed === 'chat' ? 'a generate step' : 'an embed step';
  const choices = idsOf(model.provider, needed);
  const use = choices.length > 0 ? `; use one of: ${choices.join(', ')}` : '';
  return {
    severity: 'error',
    code: 'model_kind_mismatch',
    message: `${model.provider}/${name} is ${article(actual)} model, and ${step} needs ${article(needed)} model${use}`,
  };
}

function article(kind: ModelKind): string {
  return kind === 'chat' ? 'a chat' : 'an embedding';
}

function idsOf(provider: ModelRef['provider'], kind: ModelKind): string[] {
  return MODEL_CATALOGUE[provider].filter((entry) => entry.kind === kind).map((entry) => entry.id);
}
