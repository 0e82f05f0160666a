import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { checkoutCount, countCheckouts, GiveWay } from './give-way.ts';

/** A pool as countCheckouts sees it: its acquire and release events. */
function fakePool() {
  const pool = new EventEmitter();
  const count = checkoutCount();
  countCheckouts(pool, count);
  return { count, acquire: () => pool.emit('acquire'), release: () => pool.emit('release'), checkedOut: () => new Int32Array(count)[0] };
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A slice that takes `ms` to fetch. */
const sliceTaking = (ms: number) => async () => {
  await sleep(ms);
  return performance.now();
};

describe('giving way (a long read waits while requests are in the database)', () => {
  it('counts the connections checked out of the pool', () => {
    const pool = fakePool();
    pool.acquire();
    pool.acquire();
    expect(pool.checkedOut()).toBe(2);
    pool.release();
    pool.release();
    expect(pool.checkedOut()).toBe(0);
  });

  it('a read alone never waits', async () => {
    const pool = fakePool();
    const way = new GiveWay(pool.count, { maxWaitMs: 1_000, share: 0.9 });
    for (let i = 0; i < 5; i++) await way.slice(sliceTaking(20));
    expect(way.waitedMs).toBe(0);
  });

  it('waits before its next slice while a request is in the database, and goes on as soon as none is', async () => {
    const pool = fakePool();
    const way = new GiveWay(pool.count, { maxWaitMs: 2_000, share: 0.99 });
    await way.slice(sliceTaking(20)); // the slices took 20 ms: up to 99 × 20 ms may be given way
    pool.acquire();
    pool.acquire();
    const asked = performance.now();
    setTimeout(pool.release, 100);
    setTimeout(pool.release, 250);
    const fetchedAt = await way.slice(sliceTaking(0));
    // Not while one request was still in: after the second release, and promptly after it.
    expect(fetchedAt - asked).toBeGreaterThanOrEqual(245);
    expect(fetchedAt - asked).toBeLessThan(1_500);
  });

  it('never waits longer than the bound, however long a request stays in', async () => {
    const pool = fakePool();
    const way = new GiveWay(pool.count, { maxWaitMs: 150, share: 0.99 });
    await way.slice(sliceTaking(20));
    pool.acquire(); // never released
    const asked = performance.now();
    const fetchedAt = await way.slice(sliceTaking(0));
    expect(fetchedAt - asked).toBeGreaterThanOrEqual(145);
    expect(fetchedAt - asked).toBeLessThan(1_000);
  });

  it('gives way at most its share of the time, so a read on a server that is never idle still ends', async () => {
    const pool = fakePool();
    const way = new GiveWay(pool.count, { maxWaitMs: 1_000, share: 0.25 });
    pool.acquire(); // busy throughout
    const started = performance.now();
    for (let i = 0; i < 10; i++) await way.slice(sliceTaking(30));
    const elapsed = performance.now() - started;
    // The waits together are at most a third of the slices' time (0.25 / 0.75): about 9 × 10 ms in all, a quarter
    // of the time (give or take one late timer: the next wait is shorter by what one overran).
    expect(way.waitedMs).toBeGreaterThan(50);
    expect(way.waitedMs).toBeLessThanOrEqual(0.25 * elapsed + 30);
  });
});
