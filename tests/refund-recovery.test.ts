import { describe, expect, it } from 'vitest';
import { refundPayment, resumePendingRefunds } from '../src/services/refunds/refund-payment.ts';
import type { PaymentProcessor } from '../src/services/processors/payment-processor.ts';
import { makeCardPayment, makePatient } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp } from './helpers/test-app.ts';

/** A processor connection that dies mid-request, as when the app process is killed while waiting. */
class CrashingProcessor implements PaymentProcessor {
  readonly name = 'sandbox' as const;
  constructor(private readonly real: PaymentProcessor) {}
  charge = (input: Parameters<PaymentProcessor['charge']>[0]) => this.real.charge(input);
  async refund(): Promise<never> {
    throw new Error('process stopped while waiting for the processor');
  }
}

describe.each(dialects)('pending card refunds after a crash on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('books a refund the processor made before the process stopped, exactly once, and answers the retried request with it', async () => {
    // Reproduce the crash with the service directly: the processor call throws something that is not a processor answer.
    const patient = await makePatient(t);
    const payment = await makeCardPayment(t, patient.id, 6000);
    const idempotency = { practiceId: t.biller.actor.practiceId, key: 'cut-off-1', requestHash: 'h'.repeat(64) };
    await expect(
      refundPayment(t.database.handle.db, t.biller.actor, payment.id, { amountCents: 2000, reason: 'patient_request' }, { processor: new CrashingProcessor(t.processor), publicUrl: '', idempotency }),
    ).rejects.toThrow('process stopped');
    const stuck = json(await t.request('GET', `/api/v1/payments/${payment.id}/refunds`), 200).items;
    expect(stuck).toEqual([expect.objectContaining({ status: 'pending', amountCents: 2000 })]);
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200)).toMatchObject({ status: 'paid', refundedCents: 0 });

    const before = t.processor.refundCount;
    const outcome = await resumePendingRefunds(t.database.handle.db, t.processor, { olderThanMs: 0 });
    expect(outcome).toMatchObject({ settled: 1, released: 0 });
    expect(t.processor.refundCount).toBe(before + 1);
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200)).toMatchObject({ status: 'partially_refunded', refundedCents: 2000 });
    // Running again finds nothing left to do.
    expect(await resumePendingRefunds(t.database.handle.db, t.processor, { olderThanMs: 0 })).toMatchObject({ settled: 0, released: 0 });
    // The client retrying its cut-off request gets the booked refund, not a second one.
    const retried = await refundPayment(t.database.handle.db, t.biller.actor, payment.id, { amountCents: 2000, reason: 'patient_request' }, { processor: t.processor, publicUrl: '', idempotency });
    expect(retried).toMatchObject({ status: 'succeeded', amountCents: 2000 });
    expect(t.processor.refundCount).toBe(before + 1);
    await t.expectLedgerBalances();
  });

  it('releases a pending refund the processor declines, leaving the payment as it was', async () => {
    const patient = await makePatient(t);
    const payment = await makeCardPayment(t, patient.id, 6000, '4000000000005126');
    await expect(
      refundPayment(t.database.handle.db, t.biller.actor, payment.id, { amountCents: 1000, reason: 'other' }, { processor: new CrashingProcessor(t.processor), publicUrl: '' }),
    ).rejects.toThrow();
    expect(await resumePendingRefunds(t.database.handle.db, t.processor, { olderThanMs: 0 })).toMatchObject({ released: 1 });
    const after = json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200);
    expect(after).toMatchObject({ status: 'paid', refundedCents: 0 });
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}/refunds`), 200).items[0]).toMatchObject({ status: 'failed' });
    await t.expectLedgerBalances();
  });

});
