/**
 * Ctrl-C and SIGTERM for a long command: the first asks the work to stop cleanly through the returned
 * signal; the listener then removes itself, so a second one ends the process at once, for when
 * stopping cleanly takes too long. `dispose` removes the listener when the work ends.
 */
import { setMaxListeners } from 'node:events';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export function stopOnSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  // Many concurrent SDK calls and sleeps listen on this one signal.
  setMaxListeners(0, controller.signal);
  const onSignal = (): void => {
    dispose();
    controller.abort();
  };
  const dispose = (): void => {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return { signal: controller.signal, dispose };
}
