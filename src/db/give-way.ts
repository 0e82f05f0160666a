/**
 * Give way (ADR 0063): a long read (a CSV export's cursor) yields the database's CPU to interactive requests.
 *
 * On two cores the cursor's backend, reading a slice as fast as it can, competes with the backends serving the
 * other requests. So, before each slice it asks for, the read waits while any request's query is in the database
 * (a connection of the pool checked out) — within two bounds, so that it always ends:
 * - no single wait is longer than `maxWaitMs`;
 * - all its waits together are at most share / (1 − share) times its fetches' own time (at most `share` of the
 *   read's time): on a server that is never idle the read is at most 1 / (1 − share) slower, and not slower still.
 * A read with nothing else running never waits (a lone export runs at full speed).
 *
 * The count lives in shared memory (one Int32) so that the export thread (csv-thread.ts) reads the count the
 * request thread keeps: the pool counts in `countCheckouts`, the read waits in `GiveWay.slice`. SQLite's reads do
 * not give way: there is no pool, and its export meets issue 12's target without (ADR 0063).
 */

/** The shared count of one pool's checked-out connections: plain data that crosses to the export thread. */
export type CheckoutCount = SharedArrayBuffer;

export function checkoutCount(): CheckoutCount {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
}

/** The events of a pg Pool that count: a connection checked out (acquire) and given back (release). */
interface CountedPool {
  on(event: 'acquire' | 'release', listener: () => void): unknown;
}

/** Keeps `count` equal to the pool's checked-out connections, and wakes a read waiting for none. */
export function countCheckouts(pool: CountedPool, count: CheckoutCount): void {
  const cell = new Int32Array(count);
  pool.on('acquire', () => void Atomics.add(cell, 0, 1));
  pool.on('release', () => {
    if (Atomics.sub(cell, 0, 1) === 1) Atomics.notify(cell, 0);
  });
}

export interface GiveWayBounds {
  /** The longest a read waits before one slice. */
  maxWaitMs: number;
  /**
   * The most of a read's time spent waiting (0 to < 1): all its waits together are at most share / (1 − share)
   * times as long as its slices took, so its backend reads at least 1 − share of the time, however busy the server.
   */
  share: number;
}

/**
 * The bounds: at most a quarter of an export's time given way (a constantly busy server makes an export at most
 * 1.33× slower: 14.5 s → 19.3 s at most at 1,000,000 rows, ADR 0063), never more than 50 ms at once.
 */
export const giveWayBounds: GiveWayBounds = { maxWaitMs: 50, share: 0.25 };

// ES2024's Atomics.waitAsync (Node 16+), not in the ES2023 lib this project compiles against.
type WaitAsync = (cell: Int32Array, index: number, value: number, timeoutMs: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** One read's giving way: how long its slices took, and how long it has waited, all together. */
export class GiveWay {
  private readonly cell: Int32Array;
  private slicesMs = 0;
  /** Milliseconds waited so far, all waits together. */
  waitedMs = 0;

  constructor(
    count: CheckoutCount,
    private readonly bounds: GiveWayBounds = giveWayBounds,
  ) {
    this.cell = new Int32Array(count);
  }

  /** Asks for the next slice (`fetch`) once no request's query is in the database, or the wait allowed is up. */
  async slice<T>(fetch: () => Promise<T>): Promise<T> {
    await this.wait();
    const started = performance.now();
    const slice = await fetch();
    this.slicesMs += performance.now() - started;
    return slice;
  }

  private async wait(): Promise<void> {
    if (Atomics.load(this.cell, 0) === 0) return;
    const { maxWaitMs, share } = this.bounds;
    // Waited in all ≤ share / (1 − share) × the slices' time: a wait that overran (a late timer) is taken off the next.
    const allowed = Math.min(maxWaitMs, (this.slicesMs * share) / (1 - share) - this.waitedMs);
    if (!(allowed >= 1)) return;
    const started = performance.now();
    const until = started + allowed;
    for (let busy = Atomics.load(this.cell, 0); busy > 0; busy = Atomics.load(this.cell, 0)) {
      const left = until - performance.now();
      if (left <= 0) break;
      // Woken when the count falls to none (countCheckouts), or when the time left is up.
      const waited = waitAsync(this.cell, 0, busy, left);
      if (waited.async) await waited.value;
    }
    this.waitedMs += performance.now() - started;
  }
}
