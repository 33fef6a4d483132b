/**
 * The models this emulator serves, per API: the model catalogue's rows (their ids and aliases, as
 * the real service lists them; an unlisted dated snapshot is not served) plus the `extraModels` of its
 * options and of `SYNTHFORGE_EMULATOR_MODELS` (comma-separated), each `provider/model` or
 * `provider/*` for any name. A call naming anything else is answered as the real API answers an
 * unknown model, so a misspelt name fails offline the way it would online.
 */
import { MODEL_CATALOGUE, type ModelKind } from '../../cost/model-catalogue.js';
import { UsageError } from '../../errors.js';

export type ServedApi = 'openai' | 'anthropic' | 'gemini';
const APIS: readonly ServedApi[] = ['openai', 'anthropic', 'gemini'];

export const EXTRA_MODELS_VARIABLE = 'SYNTHFORGE_EMULATOR_MODELS';

/** Appended to every unknown-model reply: the real API's words, then how to make the emulator serve it. */
export const EXTRA_MODELS_HINT = ` (synthforge emulator: it serves the models of the built-in model catalogue; add others with the extraModels option or ${EXTRA_MODELS_VARIABLE})`;

export interface ServedModel {
  id: string;
  /** Undefined for an extra model: it is served on every endpoint. */
  kind?: ModelKind;
}

export class ServedModels {
  private readonly byName = new Map<string, ServedModel>();
  private readonly anyName = new Set<ServedApi>();
  /** Each API's models in catalogue order, extras last: what the models list shows. */
  private readonly listed = new Map<ServedApi, ServedModel[]>(APIS.map((api) => [api, []]));

  constructor(extraModels: readonly string[]) {
    for (const api of APIS) {
      for (const model of MODEL_CATALOGUE[api]) {
        for (const name of [model.id, ...model.aliases]) this.add(api, { id: name, kind: model.kind });
      }
    }
    for (const entry of extraModels) {
      const slash = entry.indexOf('/');
      const api = entry.slice(0, slash) as ServedApi;
      const name = entry.slice(slash + 1);
      if (slash < 1 || !APIS.includes(api) || name.length === 0) {
        throw new UsageError('emulator_options_invalid', `extraModels: expected "<provider>/<model>" or "<provider>/*" with a provider of ${APIS.join(', ')}; got "${entry}"`);
      }
      if (name === '*') this.anyName.add(api);
      else if (!this.byName.has(`${api}/${name}`)) this.add(api, { id: name });
    }
  }

  /** Whether `api` serves `model`; with `kind`, only a model of that kind (an extra model is of any kind). */
  serves(api: ServedApi, model: string, kind?: ModelKind): boolean {
    if (this.anyName.has(api)) return true;
    const served = this.byName.get(`${api}/${model}`);
    return served !== undefined && (kind === undefined || served.kind === undefined || served.kind === kind);
  }

  list(api: ServedApi): readonly ServedModel[] {
    return this.listed.get(api)!;
  }

  find(api: ServedApi, model: string): ServedModel | undefined {
    return this.byName.get(`${api}/${model}`);
  }

  private add(api: ServedApi, model: ServedModel): void {
    this.byName.set(`${api}/${model.id}`, model);
    this.listed.get(api)!.push(model);
  }
}

/** The extra models of the options and of the environment variable, in that order. */
export function extraModelsFrom(options: readonly string[] | undefined, env: Record<string, string | undefined>): string[] {
  const fromEnv = (env[EXTRA_MODELS_VARIABLE] ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry.length > 0);
  return [...(options ?? []), ...fromEnv];
}
