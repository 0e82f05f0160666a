import { describe, expect, it } from 'vitest';
import { refundPayment, resumePendingRefunds } from '../src/services/refunds/refund-payment.ts';
import { chargePayment, resumeProcessingCharges } from '../src/services/payments/charge-payment.ts';
import { patientAccounts } from './helpers/ledger-accounts.ts';
import { ProcessorError, type ChargeLookup, type PaymentProcessor } from '../src/services/processors/payment-processor.ts';
import { sandboxCards } from '../src/services/processors/sandbox-processor.ts';
import { makeCardPayment, makePatient, makePayment } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp } from './helpers/test-app.ts';

/**
 * A processor connection that dies mid-request, as when the app process is
 * killed while waiting: refunds always; charges when `chargeCrash` says so —
 * 'before' the processor got the charge, or 'after' it made it.
 */
class CrashingProcessor implements PaymentProcessor {
  readonly name = 'sandbox' as const;
  constructor(
    private readonly real: PaymentProcessor,
    private readonly chargeCrash: 'before' | 'after' | 'never' = 'never',
  ) {}
  async charge(input: Parameters<PaymentProcessor['charge']>[0]) {
    if (this.chargeCrash === 'before') throw new Error('process stopped while waiting for the processor');
    const made = await this.real.charge(input);
    if (this.chargeCrash === 'after') throw new Error('process stopped while waiting for the processor');
    return made;
  }
  findCharge = (input: Parameters<PaymentProcessor['findCharge']>[0]) => this.real.findCharge(input);
  payoutItems = (payoutId: string) => this.real.payoutItems(payoutId);
  async refund(): Promise<never> {
    throw new Error('process stopped while waiting for the processor');
  }
}

/**
 * `olderThanMs: 0` takes what was made before this instant (`created_at < now`): a refund or a
 * charge made in the same millisecond as the job would be left, so the tests let the clock tick first.
 */
const aMillisecondLater = () => new Promise((resolve) => setTimeout(resolve, 2));

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
    await aMillisecondLater();
    const asked: Array<Parameters<PaymentProcessor['refund']>[0]> = [];
    const recording: PaymentProcessor = {
      name: 'sandbox',
      hostedCardEntry: null,
      charge: (input) => t.processor.charge(input),
      findCharge: (input) => t.processor.findCharge(input),
      payoutItems: (id) => t.processor.payoutItems(id),
      refund: (input) => {
        asked.push(input);
        return t.processor.refund(input);
      },
    };
    const outcome = await resumePendingRefunds(t.database.handle.db, recording, { olderThanMs: 0 });
    expect(outcome).toMatchObject({ settled: 1, released: 0 });
    expect(t.processor.refundCount).toBe(before + 1);
    // Asked again with the cut-off request's own processor key, for the payment's charge.
    expect(asked).toEqual([{ chargeReference: payment.processorReference ?? expect.stringMatching(/^sbx_ch_ok_/), amountCents: 2000, reason: 'patient_request', idempotencyKey: `${idempotency.practiceId}:cut-off-1:${'h'.repeat(16)}` }]);
    const [booked] = json(await t.request('GET', `/api/v1/payments/${payment.id}/refunds`), 200).items;
    const audit = await t.database.handle.db.selectFrom('auditEvents').select(['actorType', 'actorId']).where('action', '=', 'payment.refunded').where('entityId', '=', payment.id).execute();
    expect(audit).toEqual([{ actorType: 'system', actorId: 'refund-recovery' }]);
    const journal = await t.database.handle.db.selectFrom('journalEntries').select('createdBy').where('sourceType', '=', 'refund').where('sourceId', '=', booked.id).execute();
    expect(journal).toEqual([{ createdBy: 'refund-recovery' }]);
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
    await aMillisecondLater();
    expect(await resumePendingRefunds(t.database.handle.db, t.processor, { olderThanMs: 0 })).toMatchObject({ released: 1 });
    const after = json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200);
    expect(after).toMatchObject({ status: 'paid', refundedCents: 0 });
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}/refunds`), 200).items[0]).toMatchObject({ status: 'failed' });
    await t.expectLedgerBalances();
  });

  it('leaves a refund still in flight alone, and keeps one the processor times out on pending (a time-out is not a decline)', async () => {
    const patient = await makePatient(t);
    const payment = await makeCardPayment(t, patient.id, 6000, sandboxCards.refundTimeout);
    await expect(
      refundPayment(t.database.handle.db, t.biller.actor, payment.id, { amountCents: 1500, reason: 'other' }, { processor: new CrashingProcessor(t.processor), publicUrl: '' }),
    ).rejects.toThrow('process stopped');
    const reserved = async () =>
      Number((await t.database.handle.db.selectFrom('payments').select('refundingCents').where('id', '=', payment.id).executeTakeFirstOrThrow()).refundingCents);
    expect(await reserved()).toBe(1500);
    // Made a moment ago: its own request may still be waiting for the processor, so the job (default: a minute old) does not take it.
    expect(await resumePendingRefunds(t.database.handle.db, t.processor)).toEqual({ settled: 0, released: 0, stillPending: 0 });
    expect(await resumePendingRefunds(t.database.handle.db, t.processor, { olderThanMs: 60_000 })).toEqual({ settled: 0, released: 0, stillPending: 0 });
    // Old enough, but the processor does not answer: it may have refunded unseen, so the refund stays pending with its reservation.
    await aMillisecondLater();
    expect(await resumePendingRefunds(t.database.handle.db, t.processor, { olderThanMs: 0 })).toEqual({ settled: 0, released: 0, stillPending: 1 });
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}/refunds`), 200).items).toEqual([expect.objectContaining({ status: 'pending', amountCents: 1500 })]);
    expect(await reserved()).toBe(1500);
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200)).toMatchObject({ status: 'paid', refundedCents: 0 });
    await t.expectLedgerBalances();
  });
});

describe.each(dialects)('card charges left Processing by a crash on %s', (dialect) => {
  const t = useTestApp(dialect);
  const cutOff = (crash: 'before' | 'after', paymentId: string, key: string) =>
    chargePayment(t.database.handle.db, t.biller.actor, paymentId, { source: '4242424242424242' }, new CrashingProcessor(t.processor, crash), {
      practiceId: t.biller.actor.practiceId,
      key,
      requestHash: 'c'.repeat(64),
    });

  it('books a charge the processor made before the process stopped: Paid and applied once, and the retried request answers with it', async () => {
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id, { amountCents: 4500, method: 'card' });
    const before = await patientAccounts(t.database.handle.db, patient.id);
    await expect(cutOff('after', payment.id, `charge-cut-${dialect}`)).rejects.toThrow('process stopped');
    // Locked while its outcome is unknown: no hand edits, no second charge.
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200)).toMatchObject({ status: 'processing' });
    expect(json(await t.request('POST', `/api/v1/payments/${payment.id}/charge`, { body: { source: '4242424242424242' } }), 409)).toMatchObject({
      code: 'charge_in_progress',
      detail: 'A card charge of this payment is with the processor; wait until it settles.',
    });
    // Too recent for the job's default age: a charge may still be with the processor.
    expect(await resumeProcessingCharges(t.database.handle.db, t.processor)).toMatchObject({ paid: 0, failed: 0 });

    await aMillisecondLater();
    expect(await resumeProcessingCharges(t.database.handle.db, t.processor, { olderThanMs: 0 })).toMatchObject({ paid: 1, failed: 0 });
    const paid = json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200);
    expect(paid).toMatchObject({ status: 'paid', method: 'card' });
    const row = await t.database.handle.db.selectFrom('payments').select(['cardLast4', 'processorReference', 'chargeAttempt']).where('id', '=', payment.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ cardLast4: '4242', processorReference: expect.stringMatching(/^sbx_ch_ok_/), chargeAttempt: null });
    // The money is booked once: $45.00 more in cash clearing and unapplied funds, no more.
    const after = await patientAccounts(t.database.handle.db, patient.id);
    expect(after.cash_clearing - before.cash_clearing).toBe(4500);
    expect(await resumeProcessingCharges(t.database.handle.db, t.processor, { olderThanMs: 0 })).toMatchObject({ paid: 0, failed: 0, stillProcessing: 0 });

    // The client retrying its cut-off request gets the booked charge, not a 409 or a second charge.
    const retried = await chargePayment(t.database.handle.db, t.biller.actor, payment.id, { source: '4242424242424242' }, t.processor, {
      practiceId: t.biller.actor.practiceId,
      key: `charge-cut-${dialect}`,
      requestHash: 'c'.repeat(64),
    });
    expect(retried).toMatchObject({ payment: { id: payment.id, status: 'paid' }, failure: null });
    expect(await patientAccounts(t.database.handle.db, patient.id)).toEqual(after);
    await t.expectLedgerBalances();
  });

  it('fails a charge the processor never received, books nothing, and lets it be charged again', async () => {
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id, { amountCents: 3100, method: 'card' });
    const before = await patientAccounts(t.database.handle.db, patient.id);
    await expect(cutOff('before', payment.id, `charge-lost-${dialect}`)).rejects.toThrow('process stopped');
    await aMillisecondLater();
    expect(await resumeProcessingCharges(t.database.handle.db, t.processor, { olderThanMs: 0 })).toMatchObject({ paid: 0, failed: 1 });
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200)).toMatchObject({ status: 'failed' });
    expect(await patientAccounts(t.database.handle.db, patient.id)).toEqual(before);
    const audit = json(await t.request('GET', `/api/v1/audit-events?entityType=payment&entityId=${payment.id}`), 200);
    const cutOffReason = 'The charge was cut off before the processor took it; nothing was charged. Charge again.';
    expect(audit.items.find((e: { action: string }) => e.action === 'payment.charge_failed')).toMatchObject({ actor: { type: 'system', id: 'charge-recovery' }, after: { status: 'failed', reason: cutOffReason } });
    // The client retrying its cut-off request is answered with the failure recovery booked, and charges nothing.
    const retried = await chargePayment(t.database.handle.db, t.biller.actor, payment.id, { source: '4242424242424242' }, t.processor, {
      practiceId: t.biller.actor.practiceId,
      key: `charge-lost-${dialect}`,
      requestHash: 'c'.repeat(64),
    });
    expect(retried).toMatchObject({ payment: { id: payment.id, status: 'failed' }, failure: cutOffReason });
    expect(await patientAccounts(t.database.handle.db, patient.id)).toEqual(before);

    const again = json(await t.request('POST', `/api/v1/payments/${payment.id}/charge`, { body: { source: '4242424242424242' } }), 200);
    expect(again).toMatchObject({ status: 'paid', failure: null });
    expect((await patientAccounts(t.database.handle.db, patient.id)).cash_clearing - before.cash_clearing).toBe(3100);
    await t.expectLedgerBalances();
  });
  it('asks the processor with the payment number, the attempt key and the payment id', async () => {
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id, { amountCents: 1900, method: 'card' });
    const asked: Array<Parameters<PaymentProcessor['charge']>[0]> = [];
    const recording: PaymentProcessor = {
      name: 'sandbox',
      hostedCardEntry: null,
      charge: (input) => {
        asked.push(input);
        return t.processor.charge(input);
      },
      findCharge: (input) => t.processor.findCharge(input),
      payoutItems: (id) => t.processor.payoutItems(id),
      refund: (input) => t.processor.refund(input),
    };
    const charged = await chargePayment(t.database.handle.db, t.biller.actor, payment.id, { source: '4242424242424242' }, recording);
    expect(charged).toMatchObject({ payment: { status: 'paid', amountCents: 1900 }, failure: null });
    expect(asked).toEqual([{ amountCents: 1900, source: '4242424242424242', description: `Payment ${payment.number}`, idempotencyKey: `${payment.id}:1`, metadata: { paymentId: payment.id } }]);
  });

  it('books a charge recovery settled while the request waited for the processor once, and answers with it', async () => {
    const db = t.database.handle.db;
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id, { amountCents: 2700, method: 'card' });
    const before = await patientAccounts(db, patient.id);
    // The processor makes the charge, but before it answers, the recovery job finds and books it.
    const overtaken: PaymentProcessor = {
      name: 'sandbox',
      hostedCardEntry: null,
      charge: async (input) => {
        const made = await t.processor.charge(input);
        await aMillisecondLater();
        expect(await resumeProcessingCharges(db, t.processor, { olderThanMs: 0 })).toMatchObject({ paid: 1 });
        return made;
      },
      findCharge: (input) => t.processor.findCharge(input),
      payoutItems: (id) => t.processor.payoutItems(id),
      refund: (input) => t.processor.refund(input),
    };
    const charged = await chargePayment(db, t.biller.actor, payment.id, { source: '4242424242424242' }, overtaken);
    expect(charged).toMatchObject({ payment: { id: payment.id, status: 'paid' }, failure: null });
    expect((await patientAccounts(db, patient.id)).cash_clearing - before.cash_clearing).toBe(2700);
    const received = await db.selectFrom('journalEntries').select('id').where('paymentId', '=', payment.id).where('kind', '=', 'payment_received').execute();
    expect(received).toHaveLength(1);
    await t.expectLedgerBalances();
  });

  it('recovery books what the processor says of each stuck charge: still under way or unreachable stays Processing, a decline fails with its reason, an online charge stays online', async () => {
    const db = t.database.handle.db;
    const patient = await makePatient(t);
    const stuck = async (method: 'card' | 'online') => {
      const payment = await makePayment(t, patient.id, { amountCents: 1100, method: 'card' });
      await expect(
        chargePayment(db, t.biller.actor, payment.id, { source: '4242424242424242', method }, new CrashingProcessor(t.processor, 'before')),
      ).rejects.toThrow('process stopped');
      return payment.id as string;
    };
    const underWay = await stuck('card');
    const unreachable = await stuck('card');
    const declined = await stuck('card');
    const online = await stuck('online');
    const answers: Record<string, () => Promise<ChargeLookup>> = {
      [underWay]: async () => ({ state: 'in_progress' }),
      [unreachable]: async () => {
        throw new ProcessorError('unavailable', 'The processor did not answer.');
      },
      [declined]: async () => ({ state: 'failed', message: 'Insufficient funds.' }),
      [online]: async () => ({ state: 'succeeded', reference: 'sbx_ch_ok_online', cardLast4: '4242' }),
    };
    const scripted: PaymentProcessor = {
      name: 'sandbox',
      hostedCardEntry: null,
      charge: (input) => t.processor.charge(input),
      findCharge: (input) => answers[input.paymentId]?.() ?? t.processor.findCharge(input),
      payoutItems: (id) => t.processor.payoutItems(id),
      refund: (input) => t.processor.refund(input),
    };
    await aMillisecondLater();
    // An error that is no processor answer stops the job; nothing is booked.
    const broken: PaymentProcessor = { ...scripted, findCharge: async () => Promise.reject(new Error('connection reset')) };
    await expect(resumeProcessingCharges(db, broken, { olderThanMs: 0 })).rejects.toThrow('connection reset');
    expect(await resumeProcessingCharges(db, scripted, { olderThanMs: 0 })).toEqual({ paid: 1, failed: 1, stillProcessing: 2 });
    const status = async (id: string) => db.selectFrom('payments').select(['status', 'method', 'chargeAttempt', 'processorReference']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(await status(underWay)).toMatchObject({ status: 'processing', chargeAttempt: `${underWay}:1` });
    expect(await status(unreachable)).toMatchObject({ status: 'processing', chargeAttempt: `${unreachable}:1` });
    expect(await status(declined)).toMatchObject({ status: 'failed', chargeAttempt: null });
    expect(await status(online)).toMatchObject({ status: 'paid', method: 'online', chargeAttempt: null, processorReference: 'sbx_ch_ok_online' });
    const failedAudit = await db.selectFrom('auditEvents').select('after').where('entityId', '=', declined).where('action', '=', 'payment.charge_failed').executeTakeFirstOrThrow();
    expect(JSON.parse(failedAudit.after!)).toEqual({ status: 'failed', reason: 'Insufficient funds.' });
    // Only the online charge moved money: $11.00.
    expect(await patientAccounts(db, patient.id)).toEqual({ cash_clearing: 1100, patient_receivable: 0, patient_unapplied: -1100, patient_credit: 0 });
    // Settle the two left with the processor, so the file ends with nothing in flight.
    answers[underWay] = async () => ({ state: 'failed', message: 'Expired.' });
    answers[unreachable] = async () => ({ state: 'failed', message: 'Expired.' });
    expect(await resumeProcessingCharges(db, scripted, { olderThanMs: 0 })).toEqual({ paid: 0, failed: 2, stillProcessing: 0 });
    await t.expectLedgerBalances();
  });
  it('a retry of a cut-off charge waits while the charge is with the processor, and answers once recovery books it', async () => {
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id, { amountCents: 1500, method: 'card' });
    await expect(cutOff('after', payment.id, `charge-wait-${dialect}`)).rejects.toThrow('process stopped');
    const retry = chargePayment(t.database.handle.db, t.biller.actor, payment.id, { source: '4242424242424242' }, t.processor, {
      practiceId: t.biller.actor.practiceId,
      key: `charge-wait-${dialect}`,
      requestHash: 'c'.repeat(64),
    });
    // The retry polls while the payment is still Processing under its attempt; then the job books it.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await resumeProcessingCharges(t.database.handle.db, t.processor, { olderThanMs: 0 })).toMatchObject({ paid: 1 });
    expect(await retry).toMatchObject({ payment: { id: payment.id, status: 'paid', chargeAttempt: null }, failure: null });
    await t.expectLedgerBalances();
  });
  it('recovery stops on an error that is no processor answer, leaving the refund pending; a retried cut-off refund waits for recovery to book it', async () => {
    const db = t.database.handle.db;
    const patient = await makePatient(t);
    const payment = await makeCardPayment(t, patient.id, 5000);
    const idempotency = { practiceId: t.biller.actor.practiceId, key: `cut-off-wait-${dialect}`, requestHash: 'w'.repeat(64) };
    const request = (processor: PaymentProcessor) => refundPayment(db, t.biller.actor, payment.id, { amountCents: 1200, reason: 'other' }, { processor, publicUrl: '', idempotency });
    await expect(request(new CrashingProcessor(t.processor))).rejects.toThrow('process stopped');
    await aMillisecondLater();
    await expect(resumePendingRefunds(db, new CrashingProcessor(t.processor), { olderThanMs: 0 })).rejects.toThrow('process stopped');
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}/refunds`), 200).items).toEqual([expect.objectContaining({ status: 'pending', amountCents: 1200 })]);

    // The client retries while the refund is still pending: it waits, and gets the refund once the job books it.
    const retry = request(t.processor);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await resumePendingRefunds(db, t.processor, { olderThanMs: 0 })).toMatchObject({ settled: 1 });
    expect(await retry).toMatchObject({ status: 'succeeded', amountCents: 1200, payment: { refundedCents: 1200, status: 'partially_refunded' } });
    expect(await patientAccounts(db, patient.id)).toMatchObject({ cash_clearing: 3800 });
    await t.expectLedgerBalances();
  });
});
