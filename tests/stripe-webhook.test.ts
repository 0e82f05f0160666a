import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StripeProcessor } from '../src/services/processors/stripe-processor.ts';
import { makePatient, makePayment } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp } from './helpers/test-app.ts';

const secret = 'whsec_test_ledger';

function signed(payload: string, key = secret) {
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', key).update(`${t}.${payload}`).digest('hex');
  return { 'stripe-signature': `t=${t},v1=${v1}`, 'content-type': 'application/json' };
}

function chargeRefunded(paymentIntent: string, refunds: Array<{ id: string; amount: number }>) {
  const total = refunds.reduce((s, r) => s + r.amount, 0);
  return JSON.stringify({
    id: `evt_${Date.now()}`,
    object: 'event',
    type: 'charge.refunded',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: 'ch_3Ledger',
        object: 'charge',
        amount: 10000,
        amount_refunded: total,
        payment_intent: paymentIntent,
        refunded: total === 10000,
        refunds: { object: 'list', data: refunds.map((r) => ({ id: r.id, object: 'refund', amount: r.amount, status: 'succeeded', payment_intent: paymentIntent })) },
      },
    },
  });
}

describe.each(dialects)('Stripe charge.refunded webhook on %s', (dialect) => {
  const processor = new StripeProcessor({ secretKey: 'sk_test_ledger', webhookSecret: secret, apiBase: 'http://127.0.0.1:9' });
  const t = useTestApp(dialect, {}, { processor });

  it('books refunds made in the Stripe dashboard once, and rejects unsigned calls', async () => {
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id, { amountCents: 10000, method: 'card', status: 'paid', processorReference: 'pi_3LedgerTest' });
    const first = chargeRefunded('pi_3LedgerTest', [{ id: 're_1', amount: 2500 }]);
    const response = await t.request('POST', '/api/v1/webhooks/stripe', { as: null, body: first, headers: signed(first) });
    expect(json(response, 200)).toMatchObject({ received: true, type: 'charge.refunded', refundsRecorded: 1 });

    const again = chargeRefunded('pi_3LedgerTest', [{ id: 're_1', amount: 2500 }, { id: 're_2', amount: 7500 }]);
    expect(json(await t.request('POST', '/api/v1/webhooks/stripe', { as: null, body: again, headers: signed(again) }), 200).refundsRecorded).toBe(1);
    const after = json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200);
    expect(after).toMatchObject({ status: 'refunded', refundedCents: 10000 });
    const refunds = json(await t.request('GET', `/api/v1/payments/${payment.id}/refunds`), 200);
    expect(refunds.items.map((r: any) => [r.processorReference, r.amountCents, r.method, r.reason, r.notes, r.status])).toEqual([
      ['re_1', 2500, 'processor', 'other', 'Refunded at the payment processor', 'succeeded'],
      ['re_2', 7500, 'processor', 'other', 'Refunded at the payment processor', 'succeeded'],
    ]);

    const forged = await t.request('POST', '/api/v1/webhooks/stripe', { as: null, body: first, headers: signed(first, 'whsec_wrong') });
    expect(json(forged, 400).code).toBe('validation_failed');
    await t.expectLedgerBalances();
  });
});
