/**
 * The last line of defence for secrets in what the CLI prints: the keys set in this process's
 * environment are redacted from every error, event and summary before it is written, even if one
 * slipped past the adapters (which redact what providers send back).
 */
import type { SecretRedactor } from '../../redact-secrets.js';
import { secretRedactorFor } from '../../providers/registry.js';

let redactor: SecretRedactor | undefined;

/** Read once: the environment a run's keys come from does not change while it runs. */
export function outputRedactor(): SecretRedactor {
  return (redactor ??= secretRedactorFor(process.env));
}
