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
