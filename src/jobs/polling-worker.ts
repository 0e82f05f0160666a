import type { FastifyInstance } from 'fastify';

export interface PollingWorker {
  stop(): Promise<void>;
}

/**
 * Runs `pass` in the server process every `intervalMs` after the previous
 * pass ends — passes never overlap in one process (other processes and the
 * CLI may run theirs at the same time; the passes themselves are safe for
 * that). Apart from any request, so a slow receiver never holds one up.
 * Errors are logged, never thrown; closing the server waits for the pass
 * under way, then `onStop`.
 */
export function startPollingWorker(app: FastifyInstance, name: string, intervalMs: number, pass: () => Promise<unknown>, onStop?: () => void): PollingWorker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = () => {
    timer = undefined;
    running = pass()
      .then(() => undefined)
      .catch((error: unknown) => app.log.error({ err: error }, `${name} pass failed`))
      .finally(() => {
        running = undefined;
        if (!stopped) schedule();
      });
  };
  const schedule = () => {
    timer = setTimeout(tick, intervalMs);
    timer.unref();
  };
  const stop = async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
    await running;
    onStop?.();
  };
  app.addHook('onClose', stop);
  schedule();
  return { stop };
}
