/**
 * The health check's database probe, shared by the checks that arrive
 * together: the first check of a turn of the event loop schedules one probe
 * (setImmediate, after the turn's other requests were read) and every check
 * that arrives before it runs waits for that same probe. Each answer still
 * comes from a probe that started after its request arrived — nothing is
 * cached — but a burst of checks (load balancers, a load test: 32 at once)
 * costs the database one query instead of one each (issue 12, ADR 0044).
 */
export function sharedProbe(probe: () => Promise<unknown>): () => Promise<void> {
  let waiting: Array<{ resolve: () => void; reject: (error: unknown) => void }> | undefined;
  return () =>
    new Promise<void>((resolve, reject) => {
      if (waiting) {
        waiting.push({ resolve, reject });
        return;
      }
      const batch = [{ resolve, reject }];
      waiting = batch;
      setImmediate(() => {
        // Checks arriving from now on start the next probe: this one may already be under way.
        waiting = undefined;
        // Through a promise, so a probe that throws instead of rejecting fails its checks, not the process.
        Promise.resolve()
          .then(probe)
          .then(
            () => {
              for (const check of batch) check.resolve();
            },
            (error: unknown) => {
              for (const check of batch) check.reject(error);
            },
          );
      });
    });
}
