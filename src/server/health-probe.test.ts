import { describe, expect, it } from 'vitest';
import { sharedProbe } from './health-probe.ts';

describe('sharedProbe', () => {
  it('runs one probe for the checks that arrive in one turn, and a new one for a check arriving after it started', async () => {
    let probes = 0;
    let finish!: () => void;
    const check = sharedProbe(() => {
      probes++;
      return new Promise<void>((resolve) => (finish = resolve));
    });
    const together = [check(), check(), check()];
    expect(probes).toBe(0); // nothing runs before the turn's other requests are read
    await new Promise((resolve) => setImmediate(resolve));
    expect(probes).toBe(1);
    const later = check(); // the first probe is under way: this one must not be answered by it
    finish();
    await Promise.all(together);
    await new Promise((resolve) => setImmediate(resolve));
    expect(probes).toBe(2);
    finish();
    await later;
  });

  it('fails every check that shares a failed probe, and probes again on the next check', async () => {
    let fail = true;
    const check = sharedProbe(async () => {
      if (fail) throw new Error('database unreachable');
    });
    const results = await Promise.allSettled([check(), check()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(check()).resolves.toBeUndefined();
    const throwing = sharedProbe(() => {
      throw new Error('thrown, not rejected');
    });
    await expect(throwing()).rejects.toThrow('thrown, not rejected');
  });
});

describe('sharedProbe reusing a good probe', () => {
  /** A clock the test moves by hand, and a probe the test settles by hand. */
  function rig(reuseMs: number) {
    let clock = 0;
    let probes = 0;
    let settle!: { ok: () => void; fail: (error: Error) => void };
    const check = sharedProbe(
      () => {
        probes++;
        return new Promise<void>((resolve, reject) => (settle = { ok: resolve, fail: reject }));
      },
      reuseMs,
      () => clock,
    );
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    /** One check that must start a probe of its own: the probe runs, ends as told, and the check answers with it. */
    const checkThroughNewProbe = async (outcome: 'ok' | Error) => {
      const before = probes;
      const answer = check();
      await turn();
      expect(probes).toBe(before + 1);
      if (outcome === 'ok') settle.ok();
      else settle.fail(outcome);
      return answer;
    };
    return { check, turn, checkThroughNewProbe, probes: () => probes, settle: () => settle, setClock: (ms: number) => (clock = ms) };
  }

  it('answers checks within the window after a good probe started without probing, and probes again after it', async () => {
    const r = rig(1000);
    await r.checkThroughNewProbe('ok');

    r.setClock(999); // the good probe started at 0: still inside its second
    await Promise.all([r.check(), r.check(), r.check()]);
    expect(r.probes()).toBe(1);

    r.setClock(1000); // the window is over: this check waits for a new probe
    await r.checkThroughNewProbe('ok');
  });

  it('never reuses a failure, and a failure newer than the last success ends its reuse', async () => {
    const r = rig(1000);
    // A probe in flight (started at 0) and a second one started at 10 by a check arriving meanwhile.
    const first = r.check();
    await r.turn();
    const settleFirst = r.settle();
    r.setClock(10);
    const second = r.check();
    await r.turn();
    const settleSecond = r.settle();
    expect(r.probes()).toBe(2);
    settleFirst.ok();
    await first;
    settleSecond.fail(new Error('database unreachable'));
    await expect(second).rejects.toThrow('database unreachable');

    // Inside the first probe's window, but the second (newer) probe failed: this check must probe again.
    r.setClock(20);
    await expect(r.checkThroughNewProbe(new Error('still unreachable'))).rejects.toThrow('still unreachable');
    // And again: a failure is never an answer for the next check.
    await r.checkThroughNewProbe('ok');
  });

  it('with no window (0 ms) probes for every turn, as ADR 0044 did', async () => {
    const r = rig(0);
    await r.checkThroughNewProbe('ok');
    await r.checkThroughNewProbe('ok');
  });
});
