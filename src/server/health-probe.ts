/**
 * The health check's database probe. Two rules bound what checks cost the
 * database, however many arrive (`/health` is public and unauthenticated):
 *
 * - Checks that arrive together share one probe: the first check of a turn
 *   of the event loop schedules one (setImmediate, after the turn's other
 *   requests were read) and every check arriving before it runs waits for
 *   it (ADR 0044).
 * - A probe that succeeded is reused for `reuseSuccessForMs` after it
 *   started: a check arriving in that window is answered at once (ADR 0059).
 *   Load balancers poll every few seconds, so an answer at most that old is
 *   as good as a fresh one to them, while a flood of checks costs the
 *   database a query per window instead of one per event-loop turn.
 *
 * A failure is never reused: every check after a failed probe probes again,
 * so a database that comes back is seen by the next check, and one that
 * goes away is seen at most `reuseSuccessForMs` after the last good probe.
 */
/** How long the server's `/health` reuses a good probe (ADR 0059). */
export const healthProbeReuseMs = 1000;

export function sharedProbe(probe: () => Promise<unknown>, reuseSuccessForMs = 0, now: () => number = performance.now.bind(performance)): () => Promise<void> {
  let waiting: Array<{ resolve: () => void; reject: (error: unknown) => void }> | undefined;
  // When the last successful probe started; -Infinity until one has.
  let lastGoodStart = Number.NEGATIVE_INFINITY;
  return () => {
    if (now() - lastGoodStart < reuseSuccessForMs) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      if (waiting) {
        waiting.push({ resolve, reject });
        return;
      }
      const batch = [{ resolve, reject }];
      waiting = batch;
      setImmediate(() => {
        // Checks arriving from now on start the next probe: this one may already be under way.
        waiting = undefined;
        const started = now();
        // Through a promise, so a probe that throws instead of rejecting fails its checks, not the process.
        Promise.resolve()
          .then(probe)
          .then(
            () => {
              lastGoodStart = Math.max(lastGoodStart, started);
              for (const check of batch) check.resolve();
            },
            (error: unknown) => {
              // A failure newer than the last success ends that success's reuse.
              if (started >= lastGoodStart) lastGoodStart = Number.NEGATIVE_INFINITY;
              for (const check of batch) check.reject(error);
            },
          );
      });
    });
  };
}
