import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { newId, nowIso } from '../src/db/ids.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { StripeProcessor } from '../src/services/processors/stripe-processor.ts';
import { handleProcessorEvent } from '../src/services/reconciliation/handle-processor-event.ts';
import { makePatient, makePayment, makeSelfPayTreatment } from './helpers/factories.ts';
import { patientAccounts } from './helpers/ledger-accounts.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp, type Caller, type TestApp } from './helpers/test-app.ts';

const secret = 'whsec_test_reconciliation';

/**
 * A stand-in for api.stripe.com: it answers `GET /v1/balance_transactions?payout=…`
 * with Stripe's documented list shape, two transactions a page (so the
 * client's auto-pagination with `starting_after` is exercised), and records
 * every request it saw.
 */
const balanceTransactions = new Map<string, unknown[]>();
const seen: string[] = [];
const server: Server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  seen.push(`${req.method} ${url.pathname}${url.search}`);
  if (req.method === 'POST' && url.pathname === '/v1/refunds') {
    answerRefund(req, res);
    return;
  }
  if (req.method !== 'GET' || url.pathname !== '/v1/balance_transactions') {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: `No such route ${url.pathname}` } }));
    return;
  }
  const all = balanceTransactions.get(url.searchParams.get('payout') ?? '') ?? [];
  const after = url.searchParams.get('starting_after');
  const start = after ? all.findIndex((t: any) => t.id === after) + 1 : 0;
  const page = all.slice(start, start + 2);
  res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_${seen.length}` });
  res.end(JSON.stringify({ object: 'list', url: '/v1/balance_transactions', has_more: start + 2 < all.length, data: page }));
});
/**
 * `POST /v1/refunds` as Stripe documents it: a form-encoded body, the refund
 * object back, the same refund for a repeated Idempotency-Key; a charge whose
 * PaymentIntent contains `decline` answers a card_error (402).
 */
const refundsMade: { key: string; body: URLSearchParams }[] = [];
function answerRefund(req: IncomingMessage, res: ServerResponse) {
  let raw = '';
  req.on('data', (chunk) => (raw += chunk));
  req.on('end', () => {
    const body = new URLSearchParams(raw);
    const key = String(req.headers['idempotency-key'] ?? '');
    const intent = body.get('payment_intent') ?? '';
    if (intent.includes('decline')) {
      res.writeHead(402, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'card_error', code: 'charge_already_refunded', message: 'This charge cannot be refunded.' } }));
      return;
    }
    const earlier = refundsMade.findIndex((r) => r.key === key);
    if (earlier < 0) refundsMade.push({ key, body });
    const n = earlier < 0 ? refundsMade.length : earlier + 1;
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_refund_${n}` });
    res.end(JSON.stringify({ id: `re_made_${n}`, object: 'refund', amount: Number(body.get('amount')), currency: 'usd', payment_intent: intent, charge: null, status: 'succeeded', metadata: {}, created: 1764500000 }));
  });
}
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function signed(payload: string) {
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${payload}`).digest('hex');
  return { 'stripe-signature': `t=${t},v1=${v1}`, 'content-type': 'application/json' };
}

let eventSeq = 0;
function event(type: string, object: Record<string, unknown>) {
  return JSON.stringify({ id: `evt_${++eventSeq}`, object: 'event', type, api_version: '2026-10-28.endive', created: Math.floor(Date.now() / 1000), livemode: false, pending_webhooks: 1, data: { object } });
}

/** A dispute as in Stripe's API reference (trimmed). Evidence due 2026-12-10 15:00 UTC. */
function dispute(id: string, paymentIntent: string, amount: number, status: string) {
  return {
    id,
    object: 'dispute',
    amount,
    currency: 'usd',
    charge: `ch_${paymentIntent.slice(3)}`,
    payment_intent: paymentIntent,
    reason: 'fraudulent',
    status,
    is_charge_refundable: false,
    livemode: false,
    created: 1764500000,
    balance_transactions: [],
    evidence_details: { due_by: Date.UTC(2026, 11, 10, 15) / 1000, has_evidence: false, past_due: false, submission_count: 0 },
  };
}

function charge(txn: string, paymentIntent: string, amount: number, fee: number) {
  return {
    id: txn,
    object: 'balance_transaction',
    amount,
    available_on: 1764600000,
    created: 1764500000,
    currency: 'usd',
    description: 'Payment',
    fee,
    fee_details: [{ amount: fee, currency: 'usd', description: 'Stripe processing fees', type: 'stripe_fee' }],
    net: amount - fee,
    reporting_category: 'charge',
    source: { id: `ch_${paymentIntent.slice(3)}`, object: 'charge', amount, payment_intent: paymentIntent, status: 'succeeded' },
    status: 'available',
    type: 'charge',
  };
}

function refundTxn(txn: string, refundId: string, paymentIntent: string, amount: number) {
  return {
    id: txn,
    object: 'balance_transaction',
    amount: -amount,
    available_on: 1764600000,
    created: 1764500000,
    currency: 'usd',
    description: 'REFUND FOR CHARGE',
    fee: 0,
    fee_details: [],
    net: -amount,
    reporting_category: 'refund',
    source: { id: refundId, object: 'refund', amount, charge: `ch_${paymentIntent.slice(3)}`, payment_intent: paymentIntent, status: 'succeeded' },
    status: 'available',
    type: 'refund',
  };
}

function payoutTxn(payoutId: string, amount: number) {
  return { id: `txn_${payoutId}`, object: 'balance_transaction', amount: -amount, created: 1764500000, currency: 'usd', description: 'STRIPE PAYOUT', fee: 0, fee_details: [], net: -amount, reporting_category: 'payout', source: payoutId, status: 'available', type: 'payout' };
}

function payout(id: string, amount: number) {
  return { id, object: 'payout', amount, arrival_date: Date.UTC(2026, 10, 27) / 1000, currency: 'usd', status: 'paid', method: 'standard', type: 'bank_account', automatic: true, created: 1764500000 };
}

describe.each(dialects)('card processor reconciliation on %s', (dialect) => {
  const processor = new StripeProcessor({ secretKey: 'sk_test_reconciliation', webhookSecret: secret, apiBase, timeoutMs: 5_000, maxNetworkRetries: 0 });
  const t: TestApp = useTestApp(dialect, {}, { processor });
  const db = () => t.database.handle.db;
  const tag = dialect.slice(0, 2);

  async function send(type: string, object: Record<string, unknown>) {
    const body = event(type, object);
    return json(await t.request('POST', '/api/v1/webhooks/stripe', { as: null, body, headers: signed(body) }), 200);
  }

  /** The journal's balance per account for one payment's lines (debit positive). */
  async function paymentLedger(paymentId: string) {
    const rows = await db().selectFrom('journalLines').select(['account', sql<number>`sum(amount_cents)`.as('total')]).where('paymentId', '=', paymentId).groupBy('account').execute();
    return Object.fromEntries(rows.map((r) => [r.account, Number(r.total)]).filter(([, total]) => total !== 0));
  }

  async function entryCount() {
    return Number((await db().selectFrom('journalEntries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  }

  async function trialBalance(as: Caller = t.biller) {
    const tb = json(await t.request('GET', '/api/v1/reports/trial-balance', { as }), 200);
    return Object.fromEntries(tb.accounts.map((a: any) => [a.account, a.balanceCents]));
  }

  async function cardPayment(patientId: string, amountCents: number, reference: string, fields: Record<string, unknown> = {}, as?: Caller) {
    return makePayment(t, patientId, { amountCents, method: 'card', status: 'paid', processorReference: reference, ...fields }, as);
  }

  it('a dispute opened then won: Disputed with the amount held, a task for the biller, no refund meanwhile; won, every account back to the cent', async () => {
    const patient = await makePatient(t);
    const intent = `pi_won_${tag}`;
    const payment = await cardPayment(patient.id, 10000, intent);
    const before = await paymentLedger(payment.id);
    expect(before).toEqual({ cash_clearing: 10000, patient_unapplied: -10000 });
    const tbBefore = await trialBalance();

    const opened = await send('charge.dispute.created', dispute(`dp_won_${tag}`, intent, 4000, 'needs_response'));
    expect(opened.reconciliation).toMatchObject({ kind: 'dispute_opened', outcome: 'opened', unmatched: false });
    const disputed = json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200);
    expect(disputed.status).toBe('disputed');
    expect(await paymentLedger(payment.id)).toEqual({ cash_clearing: 6000, processor_disputes: 4000, patient_unapplied: -10000 });
    const tbOpen = await trialBalance();
    expect(tbOpen.processor_disputes - tbBefore.processor_disputes).toBe(4000);
    expect(tbOpen.cash_clearing - tbBefore.cash_clearing).toBe(-4000);
    await t.expectLedgerBalances();

    // The biller's task: due the day evidence is due, on the practice calendar (America/New_York).
    const tasks = json(await t.request('GET', `/api/v1/tasks?type=dispute&status=open&patientId=${patient.id}`, { as: t.biller }), 200);
    expect(tasks.items).toEqual([expect.objectContaining({ type: 'dispute', status: 'open', amountCents: 4000, dueDate: '2026-12-10', patientId: patient.id })]);
    const completeTask = await t.request('POST', `/api/v1/tasks/${tasks.items[0].id}/complete`, { as: t.biller, body: { refundDate: '2026-11-29', amountCents: 4000, method: 'card' } });
    expect(json(completeTask, 422).code).toBe('business_rule');

    // While disputed: no refund, no manual status change, no edit; nothing written.
    const refund = await t.request('POST', `/api/v1/payments/${payment.id}/refunds`, { as: t.biller, body: { amountCents: 1000, reason: 'patient_request' } });
    expect(json(refund, 422).code).toBe('payment_disputed');
    const status = await t.request('POST', `/api/v1/payments/${payment.id}/status`, { body: { status: 'paid' } });
    expect(json(status, 422).code).toBe('payment_disputed');
    expect(json(await t.request('PATCH', `/api/v1/payments/${payment.id}`, { body: { memo: 'x' } }), 422).code).toBe('payment_locked');
    expect(await paymentLedger(payment.id)).toEqual({ cash_clearing: 6000, processor_disputes: 4000, patient_unapplied: -10000 });

    // Replayed and funds_withdrawn (the same fact): nothing booked twice.
    const entries = await entryCount();
    expect((await send('charge.dispute.created', dispute(`dp_won_${tag}`, intent, 4000, 'needs_response'))).reconciliation.outcome).toBe('already_open');
    expect((await send('charge.dispute.funds_withdrawn', dispute(`dp_won_${tag}`, intent, 4000, 'needs_response'))).reconciliation.outcome).toBe('already_open');
    expect(await entryCount()).toBe(entries);

    const report = json(await t.request('GET', '/api/v1/reports/processor-reconciliation?from=2026-01-01&to=2026-12-31', { as: t.biller }), 200);
    expect(report.openDisputes).toEqual([expect.objectContaining({ processorDisputeId: `dp_won_${tag}`, paymentId: payment.id, amountCents: 4000, evidenceDueBy: '2026-12-10', paymentNumber: payment.number })]);
    expect(json(await t.request('GET', '/api/v1/reports/processor-reconciliation?from=2026-01-01&to=2026-12-31', { as: t.otherAdmin }), 200).openDisputes).toEqual([]);

    const won = await send('charge.dispute.closed', dispute(`dp_won_${tag}`, intent, 4000, 'won'));
    expect(won.reconciliation).toMatchObject({ kind: 'dispute_closed', outcome: 'won' });
    const after = json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200);
    expect(after).toMatchObject({ status: 'paid', refundedCents: 0 });
    expect(await paymentLedger(payment.id)).toEqual(before);
    expect(await trialBalance()).toEqual(tbBefore);
    expect(json(await t.request('GET', `/api/v1/tasks?type=dispute&patientId=${patient.id}`, { as: t.biller }), 200).items).toEqual([expect.objectContaining({ status: 'completed' })]);
    const closedEntries = await entryCount();
    expect((await send('charge.dispute.closed', dispute(`dp_won_${tag}`, intent, 4000, 'won'))).reconciliation.outcome).toBe('already_closed');
    expect(await entryCount()).toBe(closedEntries);

    const events = await db().selectFrom('outboxEvents').select(['type', 'payload']).where('type', 'like', 'dispute.%').where('payload', 'like', `%dp_won_${tag}%`).orderBy('createdAt').execute();
    expect(events.map((e) => [e.type, JSON.parse(e.payload).status, JSON.parse(e.payload).amountCents])).toEqual([
      ['dispute.created', 'open', 4000],
      ['dispute.closed', 'won', 4000],
    ]);
    await t.expectLedgerBalances();
  });

  it('a dispute lost: the hold comes back and a chargeback refund is booked like any refund — payment, patient and cash to the cent', async () => {
    const patient = await makePatient(t);
    const treatment = await makeSelfPayTreatment(t, patient.id, 6000);
    const intent = `pi_lost_${tag}`;
    // $100 paid by card: $60 applied to the visit at once, $40 unapplied.
    const payment = await cardPayment(patient.id, 10000, intent, { treatmentId: treatment.id });
    expect(payment.billing).toMatchObject({ appliedCents: 6000, unappliedCents: 4000 });

    await send('charge.dispute.created', dispute(`dp_lost_${tag}`, intent, 4000, 'needs_response'));
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).balance).toEqual({ patientResponsibilityCents: 0, unappliedCents: 4000, creditCents: 0 });
    const lost = await send('charge.dispute.closed', dispute(`dp_lost_${tag}`, intent, 4000, 'lost'));
    expect(lost.reconciliation).toMatchObject({ kind: 'dispute_closed', outcome: 'lost' });

    const after = json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200);
    expect(after).toMatchObject({ status: 'partially_refunded', refundedCents: 4000 });
    expect(after.billing).toMatchObject({ appliedCents: 6000, unappliedCents: 0, overApplied: false });
    const refunds = json(await t.request('GET', `/api/v1/payments/${payment.id}/refunds`), 200).items;
    expect(refunds.map((r: any) => [r.amountCents, r.reason, r.method, r.status, r.processorReference])).toEqual([[4000, 'chargeback', 'processor', 'succeeded', `dp_lost_${tag}`]]);
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).balance).toEqual({ patientResponsibilityCents: 0, unappliedCents: 0, creditCents: 0 });
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 6000, patient_receivable: 0, patient_unapplied: 0, patient_credit: 0 });
    // The patient's ledger shows the chargeback as a refund; the processor's hold and its release are not the patient's business.
    const ledger = json(await t.request('GET', `/api/v1/patients/${patient.id}/ledger`, { as: t.biller }), 200);
    expect(ledger.items.map((r: any) => r.kind)).toEqual(['charge', 'patient_payment', 'application', 'refund']);
    expect(ledger.items.at(-1)).toMatchObject({ amountCents: 4000, refundId: refunds[0].id, runningBalanceCents: 0 });
    // Received 100 − applied 60 − chargeback 40: nothing of it is left unapplied.
    expect(await paymentLedger(payment.id)).toEqual({ cash_clearing: 6000 });

    // Replayed: neither the release nor the chargeback is booked again.
    const entries = await entryCount();
    expect((await send('charge.dispute.closed', dispute(`dp_lost_${tag}`, intent, 4000, 'lost'))).reconciliation.outcome).toBe('already_closed');
    expect(await entryCount()).toBe(entries);
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}/refunds`), 200).items).toHaveLength(1);
    await t.expectLedgerBalances();

    // The payout carries the charge and the dispute's withdrawal with Stripe's $15 dispute fee: both matched, both fees on this payment.
    const payoutId = `po_lost_${tag}`;
    const withdrawal = {
      id: `txn_dp_lost_${tag}`,
      object: 'balance_transaction',
      amount: -4000,
      created: 1764500000,
      currency: 'usd',
      description: `Chargeback withdrawal for ch_lost_${tag}`,
      fee: 1500,
      fee_details: [{ amount: 1500, currency: 'usd', description: 'Dispute fee', type: 'stripe_fee' }],
      net: -5500,
      reporting_category: 'dispute',
      source: dispute(`dp_lost_${tag}`, intent, 4000, 'lost'),
      status: 'available',
      type: 'adjustment',
    };
    balanceTransactions.set(payoutId, [charge(`txn_ch_lost_${tag}`, intent, 10000, 320), withdrawal]);
    const net = 9680 - 5500;
    expect((await send('payout.paid', { ...payout(payoutId, net), arrival_date: Date.UTC(2026, 10, 25) / 1000 })).reconciliation.payout).toMatchObject({ matched: 2, unmatched: 0, feesBooked: 2 });
    // What is left in clearing for this payment is exactly what reached the bank for it.
    expect(await paymentLedger(payment.id)).toEqual({ cash_clearing: net, processor_fees: 1820 });
    const report = json(await t.request('GET', '/api/v1/reports/processor-reconciliation?from=2026-11-25&to=2026-11-25', { as: t.admin }), 200);
    expect(report.payouts[0]).toMatchObject({ balanced: true, totals: { grossCents: 10000, refundsCents: 0, disputesCents: -4000, adjustmentsCents: 0, feesCents: 1820, netCents: net } });
    expect(report.payouts[0].items.find((i: any) => i.type === 'dispute')).toMatchObject({ matched: true, paymentId: payment.id, sourceReference: `dp_lost_${tag}` });
    await t.expectLedgerBalances();
  });

  it('a whole payment lost before its dispute was ever opened here (events out of order): refunded and over-applied like R1', async () => {
    const patient = await makePatient(t);
    const treatment = await makeSelfPayTreatment(t, patient.id, 10000);
    const intent = `pi_r1_${tag}`;
    const payment = await cardPayment(patient.id, 10000, intent, { treatmentId: treatment.id });
    const lost = await send('charge.dispute.closed', dispute(`dp_r1_${tag}`, intent, 10000, 'lost'));
    expect(lost.reconciliation.outcome).toBe('lost');
    const after = json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200);
    expect(after).toMatchObject({ status: 'refunded', refundedCents: 10000 });
    expect(after.billing).toEqual({ netAmountCents: 0, reference: 'Refunded', appliedCents: 10000, unappliedCents: -10000, overApplied: true });
    expect(json(await t.request('GET', '/api/v1/reports/over-applied'), 200).items.map((p: any) => p.id)).toContain(payment.id);
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 0, patient_receivable: 0, patient_unapplied: 10000, patient_credit: 0 });
    await t.expectLedgerBalances();
  });

  it('a payout of 3 charges, 2 refunds (one never announced), fees and a charge made in the dashboard: matched, fees booked once, totals net to the payout to the cent', async () => {
    const patient = await makePatient(t);
    const [a, b, c] = [`pi_pa_${tag}`, `pi_pb_${tag}`, `pi_pc_${tag}`];
    const pa = await cardPayment(patient.id, 10000, a);
    const pb = await cardPayment(patient.id, 5000, b);
    const pc = await cardPayment(patient.id, 2500, c);
    // A $20 refund of A made in Stripe's dashboard, booked by charge.refunded.
    const refunded = event('charge.refunded', {
      id: `ch_pa_${tag}`,
      object: 'charge',
      amount: 10000,
      amount_refunded: 2000,
      payment_intent: a,
      refunded: false,
      refunds: { object: 'list', data: [{ id: `re_pa_${tag}`, object: 'refund', amount: 2000, status: 'succeeded', payment_intent: a }] },
    });
    expect(json(await t.request('POST', '/api/v1/webhooks/stripe', { as: null, body: refunded, headers: signed(refunded) }), 200).refundsRecorded).toBe(1);

    // A charge made in the dashboard naming neither patient nor practice (this database has two): its webhook cannot book it.
    const entriesBefore = await entryCount();
    const unknown = await send('charge.succeeded', { id: `ch_unknown_${tag}`, object: 'charge', amount: 3000, payment_intent: `pi_unknown_${tag}`, status: 'succeeded' });
    expect(unknown.reconciliation).toEqual({ kind: 'charge_succeeded', outcome: 'unassigned', unmatched: true });
    expect(await entryCount()).toBe(entriesBefore);

    const payoutId = `po_1_${tag}`;
    const items = [
      charge(`txn_a_${tag}`, a, 10000, 320),
      charge(`txn_b_${tag}`, b, 5000, 175),
      charge(`txn_c_${tag}`, c, 2500, 103),
      refundTxn(`txn_r_${tag}`, `re_pa_${tag}`, a, 2000),
      // A $10 refund of B made in the dashboard whose charge.refunded never reached us: the payout books it, once.
      refundTxn(`txn_r2_${tag}`, `re_pb_${tag}`, b, 1000),
      charge(`txn_u_${tag}`, `pi_unknown_${tag}`, 3000, 117),
      // A transaction nothing of ours explains: listed unmatched, never guessed.
      { ...payoutTxn(`adj_${tag}`, 250), id: `txn_adj_${tag}`, type: 'adjustment', reporting_category: 'other_adjustment', description: 'Balance correction' },
    ];
    const amount = items.reduce((sum, i) => sum + i.net, 0);
    expect(amount).toBe(9680 + 4825 + 2397 - 2000 - 1000 + 2883 - 250);
    balanceTransactions.set(payoutId, [...items, payoutTxn(payoutId, amount)]);
    const tbBefore = await trialBalance();

    const paid = await send('payout.paid', payout(payoutId, amount));
    expect(paid.reconciliation).toMatchObject({ kind: 'payout_paid', outcome: 'recorded', unmatched: true, payout: { recorded: 1, items: 7, matched: 6, unmatched: 1, feesBooked: 4, unassigned: 0 } });
    // Eight transactions, two a page: four requests, each asking for the payout's transactions with their sources.
    const asked = seen.filter((s) => s.includes(`payout=${payoutId}`));
    expect(asked).toHaveLength(4);
    expect(decodeURIComponent(asked[0]!)).toContain('expand[0]=data.source');

    // Fees: Dr processor_fees / Cr cash_clearing on each charge's payment, and on no payment for the held dashboard charge (ADR 0029).
    const tbAfter = await trialBalance();
    expect(tbAfter.processor_fees - tbBefore.processor_fees).toBe(320 + 175 + 103 + 117);
    // Cash also gave back the $10 refund the payout revealed, and took the unknown charge, held for the practice the payout is (ADR 0028); the adjustment is listed, not booked.
    expect(tbAfter.cash_clearing - tbBefore.cash_clearing).toBe(-(320 + 175 + 103 + 117) - 1000 + 3000);
    expect(tbAfter.unidentified_receipts - tbBefore.unidentified_receipts).toBe(-3000);
    expect(await paymentLedger(pa.id)).toEqual({ cash_clearing: 10000 - 2000 - 320, processor_fees: 320, patient_unapplied: -8000 });
    expect(await paymentLedger(pb.id)).toEqual({ cash_clearing: 5000 - 1000 - 175, processor_fees: 175, patient_unapplied: -4000 });
    expect(json(await t.request('GET', `/api/v1/payments/${pb.id}`), 200)).toMatchObject({ status: 'partially_refunded', refundedCents: 1000 });
    expect(json(await t.request('GET', `/api/v1/payments/${pb.id}/refunds`), 200).items.map((r: any) => [r.processorReference, r.amountCents, r.method])).toEqual([[`re_pb_${tag}`, 1000, 'processor']]);
    // Its charge.refunded arriving late books nothing more.
    const late = event('charge.refunded', {
      id: `ch_pb_${tag}`,
      object: 'charge',
      amount: 5000,
      amount_refunded: 1000,
      payment_intent: b,
      refunded: false,
      refunds: { object: 'list', data: [{ id: `re_pb_${tag}`, object: 'refund', amount: 1000, status: 'succeeded', payment_intent: b }] },
    });
    expect(json(await t.request('POST', '/api/v1/webhooks/stripe', { as: null, body: late, headers: signed(late) }), 200).refundsRecorded).toBe(0);
    expect(await paymentLedger(pc.id)).toEqual({ cash_clearing: 2500 - 103, processor_fees: 103, patient_unapplied: -2500 });
    await t.expectLedgerBalances();

    // Replayed: nothing recorded or booked twice.
    const entries = await entryCount();
    expect((await send('payout.paid', payout(payoutId, amount))).reconciliation).toMatchObject({ outcome: 'already_recorded', payout: { recorded: 0 } });
    expect(await entryCount()).toBe(entries);
    expect(await trialBalance()).toEqual(tbAfter);

    const report = json(await t.request('GET', '/api/v1/reports/processor-reconciliation?from=2026-11-27&to=2026-11-27', { as: t.biller }), 200);
    const recorded = report.payouts.find((p: any) => p.processorPayoutId === payoutId);
    expect(recorded).toMatchObject({ amountCents: amount, arrivalDate: '2026-11-27', status: 'paid', balanced: true });
    expect(recorded.totals).toEqual({ grossCents: 20500, refundsCents: -3000, disputesCents: 0, adjustmentsCents: -250, feesCents: 715, netCents: amount });
    expect(recorded.totals.grossCents + recorded.totals.refundsCents + recorded.totals.disputesCents + recorded.totals.adjustmentsCents - recorded.totals.feesCents).toBe(amount);
    const byTxn = Object.fromEntries(recorded.items.map((i: any) => [i.balanceTransactionId, i]));
    expect(byTxn[`txn_a_${tag}`]).toMatchObject({ type: 'charge', matched: true, paymentId: pa.id, paymentNumber: pa.number, amountCents: 10000, feeCents: 320, netCents: 9680 });
    expect(byTxn[`txn_r_${tag}`]).toMatchObject({ type: 'refund', matched: true, paymentId: pa.id, amountCents: -2000, sourceReference: `re_pa_${tag}` });
    expect(byTxn[`txn_r_${tag}`].refundId).toBeTruthy();
    expect(byTxn[`txn_u_${tag}`]).toMatchObject({ type: 'charge', matched: true, paymentId: null, sourceReference: `pi_unknown_${tag}`, amountCents: 3000, feeCents: 117 });
    expect(byTxn[`txn_adj_${tag}`]).toMatchObject({ type: 'adjustment', matched: false, paymentId: null, processorReceiptId: null, amountCents: -250 });
    expect(report.unmatchedCount).toBe(1);
    const held = report.heldReceipts.find((r: any) => r.processorReference === `pi_unknown_${tag}`);
    expect(held).toMatchObject({ status: 'held', amountCents: 3000, paymentId: null });
    expect(byTxn[`txn_u_${tag}`].processorReceiptId).toBe(held.id);
    expect(byTxn[`txn_r2_${tag}`]).toMatchObject({ type: 'refund', matched: true, paymentId: pb.id, amountCents: -1000 });
    expect(recorded.items).toHaveLength(7);

    // The CSV: one row per item, amounts in dollars.
    const csv = await t.request('GET', '/api/v1/reports/processor-reconciliation/export.csv?from=2026-11-27&to=2026-11-27', { as: t.biller });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('payout,arrivalDate,payoutAmount,balanceTransaction,type,amount,fee,net,matched,payment,patient,source,description');
    expect(lines.filter((l) => l.startsWith(`${payoutId},`))).toHaveLength(7);
    expect(lines).toContain(`${payoutId},2026-11-27,${(amount / 100).toFixed(2)},txn_u_${tag},charge,30.00,1.17,28.83,yes,,,pi_unknown_${tag},Payment`);
    expect(lines).toContain(`${payoutId},2026-11-27,${(amount / 100).toFixed(2)},txn_adj_${tag},adjustment,-2.50,0.00,-2.50,no,,,adj_${tag},Balance correction`);

    // Another practice sees none of it; the front desk may not read it.
    const other = json(await t.request('GET', '/api/v1/reports/processor-reconciliation?from=2026-11-27&to=2026-11-27', { as: t.otherAdmin }), 200);
    expect(other).toMatchObject({ payouts: [], unmatchedCount: 0 });
    expect((await t.request('GET', '/api/v1/reports/processor-reconciliation?from=2026-11-27&to=2026-11-27', { as: t.frontDesk })).statusCode).toBe(403);
    expect(json(await t.request('GET', '/api/v1/reports/processor-reconciliation?from=2026-11-28&to=2026-11-27', { as: t.biller }), 400).code).toBe('validation_failed');
  });

  it("a payout carrying two practices' charges is recorded for each with its own items only", async () => {
    const mine = await makePatient(t);
    const theirs = await makePatient(t, t.otherAdmin);
    const pm = await cardPayment(mine.id, 4000, `pi_mine_${tag}`);
    const pt = await cardPayment(theirs.id, 6000, `pi_theirs_${tag}`, {}, t.otherAdmin);
    const payoutId = `po_2_${tag}`;
    const items = [charge(`txn_m_${tag}`, `pi_mine_${tag}`, 4000, 146), charge(`txn_t_${tag}`, `pi_theirs_${tag}`, 6000, 204)];
    balanceTransactions.set(payoutId, items);
    const amount = 4000 - 146 + 6000 - 204;
    expect((await send('payout.paid', { ...payout(payoutId, amount), arrival_date: Date.UTC(2026, 10, 28) / 1000 })).reconciliation.payout).toMatchObject({ recorded: 2, matched: 2, feesBooked: 2 });
    const range = '?from=2026-11-28&to=2026-11-28';
    const ours = json(await t.request('GET', `/api/v1/reports/processor-reconciliation${range}`, { as: t.biller }), 200);
    const their = json(await t.request('GET', `/api/v1/reports/processor-reconciliation${range}`, { as: t.otherAdmin }), 200);
    expect(ours.payouts.map((p: any) => p.items.map((i: any) => i.paymentId))).toEqual([[pm.id]]);
    expect(their.payouts.map((p: any) => p.items.map((i: any) => i.paymentId))).toEqual([[pt.id]]);
    // Each practice holds part of the deposit: its items alone do not net to the payout, and the report says so.
    expect(ours.payouts[0]).toMatchObject({ amountCents: amount, balanced: false, totals: { netCents: 3854, feesCents: 146 } });
    await t.expectLedgerBalances();
  });

  it('verify names a fee posted twice and a dispute hold on the wrong account', async () => {
    const patient = await makePatient(t);
    const intent = `pi_plant_${tag}`;
    const payment = await cardPayment(patient.id, 8000, intent);
    await send('charge.dispute.created', dispute(`dp_plant_${tag}`, intent, 3000, 'needs_response'));
    const payoutId = `po_3_${tag}`;
    balanceTransactions.set(payoutId, [charge(`txn_p_${tag}`, intent, 8000, 262)]);
    await send('payout.paid', { ...payout(payoutId, 8000 - 262), arrival_date: Date.UTC(2026, 10, 26) / 1000 });
    expect(await verifyLedger(db())).toEqual([]);
    const practiceId = t.admin.actor.practiceId;
    const item = await db().selectFrom('processorPayoutItems').select('id').where('balanceTransactionId', '=', `txn_p_${tag}`).executeTakeFirstOrThrow();

    // The fee booked a second time, as a retry bug would.
    const entryId = newId();
    await db().insertInto('journalEntries').values({ id: entryId, practiceId, kind: 'processor_fee', paymentId: payment.id, memo: 'planted', createdAt: nowIso(), createdBy: 'test', sourceType: 'processor_payout_item', sourceId: item.id }).execute();
    await db()
      .insertInto('journalLines')
      .values([
        { id: newId(), entryId, practiceId, account: 'processor_fees', patientId: patient.id, paymentId: payment.id, treatmentId: null, amountCents: 262 },
        { id: newId(), entryId, practiceId, account: 'cash_clearing', patientId: patient.id, paymentId: payment.id, treatmentId: null, amountCents: -262 },
      ])
      .execute();
    const twice = await verifyLedger(db());
    expect(twice.map((p) => p.check).sort()).toEqual(['cash_clearing', 'entry_duplicate', 'processor_fees']);
    expect(twice.find((p) => p.check === 'processor_fees')!.detail).toBe(`processor fees booked $5.24 for it; its payout items' fees are $2.62 (journal entries ${[...(await feeEntries(payment.id))].sort().join(', ')})`);
    expect(twice.find((p) => p.check === 'entry_duplicate')!.detail).toContain(`processor_payout_item ${item.id} is posted 2 times as processor_fee`);
    await db().deleteFrom('journalLines').where('entryId', '=', entryId).execute();
    await db().deleteFrom('journalEntries').where('id', '=', entryId).execute();
    expect(await verifyLedger(db())).toEqual([]);

    // The hold booked on unapplied funds instead of processor_disputes: the entry still balances.
    const hold = await db().selectFrom('journalEntries').select('id').where('kind', '=', 'dispute_hold').where('paymentId', '=', payment.id).executeTakeFirstOrThrow();
    await db().updateTable('journalLines').set({ account: 'patient_unapplied' }).where('entryId', '=', hold.id).where('account', '=', 'processor_disputes').execute();
    const wrong = await verifyLedger(db());
    expect(wrong.filter((p) => p.check === 'entry_lines').map((p) => p.entity)).toEqual([`journal entry ${hold.id} (dispute_hold)`, `journal entry ${hold.id} (dispute_hold)`]);
    expect(wrong.find((p) => p.check === 'processor_disputes')).toMatchObject({ entity: payment.number, detail: expect.stringContaining('processor disputes hold $0.00 for it; its open disputes are $30.00') });
    await db().updateTable('journalLines').set({ account: 'processor_disputes' }).where('entryId', '=', hold.id).where('account', '=', 'patient_unapplied').execute();
    expect(await verifyLedger(db())).toEqual([]);

    // A payment left Disputed when no dispute is open on it.
    const other = await cardPayment(patient.id, 1500, `pi_stuck_${tag}`);
    await db().updateTable('payments').set({ status: 'disputed' }).where('id', '=', other.id).execute();
    expect(await verifyLedger(db())).toEqual([{ check: 'payment_status', practiceId, entity: other.number, detail: 'status disputed but no dispute is open on it' }]);
    await db().updateTable('payments').set({ status: 'paid' }).where('id', '=', other.id).execute();
    expect(await verifyLedger(db())).toEqual([]);

    async function feeEntries(paymentId: string) {
      const rows = await db().selectFrom('journalLines').select('entryId').where('paymentId', '=', paymentId).where('account', '=', 'processor_fees').execute();
      return new Set(rows.map((r) => r.entryId));
    }
  });

  /** A charge made in Stripe's dashboard, as `charge.succeeded` carries it (trimmed). */
  function dashboardCharge(id: string, intent: string, amount: number, fields: Record<string, unknown> = {}) {
    return { id, object: 'charge', amount, currency: 'usd', payment_intent: intent, status: 'succeeded', paid: true, metadata: {}, billing_details: { email: null }, receipt_email: null, ...fields };
  }

  it("a charge made in the dashboard naming a patient is a Paid card payment applied to the open responsibility, booked once whether it comes twice, as its PaymentIntent's event or in its payout", async () => {
    const patient = await makePatient(t);
    const treatment = await makeSelfPayTreatment(t, patient.id, 4500);
    const [intent, chargeId] = [`pi_dash_${tag}`, `ch_dash_${tag}`];
    const tbBefore = await trialBalance();

    const first = await send('charge.succeeded', dashboardCharge(chargeId, intent, 6000, { metadata: { accountId: patient.accountId } }));
    expect(first.reconciliation).toEqual({ kind: 'charge_succeeded', outcome: 'booked', unmatched: false });
    const payments = json(await t.request('GET', `/api/v1/payments?search=${encodeURIComponent(patient.lastName)}`), 200).items;
    expect(payments).toHaveLength(1);
    const payment = json(await t.request('GET', `/api/v1/payments/${payments[0].id}`), 200);
    expect(payment).toMatchObject({ status: 'paid', method: 'card', amountCents: 6000, patientId: patient.id, billing: { appliedCents: 4500, unappliedCents: 1500 } });
    // SPEC 6: applied at once to the visit's open responsibility, the rest unapplied — like any desk payment.
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 6000, patient_receivable: 0, patient_unapplied: -1500, patient_credit: 0 });
    expect(json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200).patientResponsibilityCents).toBe(4500);

    // Repeated, as its PaymentIntent's event, and in its payout: nothing more is booked; the payout books its fee on the payment.
    const entries = await entryCount();
    expect((await send('charge.succeeded', dashboardCharge(chargeId, intent, 6000, { metadata: { accountId: patient.accountId } }))).reconciliation.outcome).toBe('known');
    const intentEvent = { id: intent, object: 'payment_intent', amount: 6000, amount_received: 6000, status: 'succeeded', latest_charge: chargeId, metadata: { accountId: patient.accountId } };
    expect((await send('payment_intent.succeeded', intentEvent)).reconciliation.outcome).toBe('known');
    expect(await entryCount()).toBe(entries);
    const payoutId = `po_dash_${tag}`;
    const txn = { ...charge(`txn_dash_${tag}`, intent, 6000, 204), source: { ...dashboardCharge(chargeId, intent, 6000, { metadata: { accountId: patient.accountId } }) } };
    balanceTransactions.set(payoutId, [txn, payoutTxn(payoutId, 5796)]);
    expect((await send('payout.paid', payout(payoutId, 5796))).reconciliation.payout).toMatchObject({ matched: 1, unmatched: 0, feesBooked: 1 });
    expect(await paymentLedger(payment.id)).toEqual({ cash_clearing: 6000 - 204, processor_fees: 204, patient_unapplied: -1500 });
    const tbAfter = await trialBalance();
    expect(tbAfter.cash_clearing - tbBefore.cash_clearing).toBe(6000 - 204);
    expect(tbAfter.unidentified_receipts - tbBefore.unidentified_receipts).toBe(0);
    expect(json(await t.request('GET', '/api/v1/processor-receipts?status=resolved', { as: t.biller }), 200).items).toEqual(
      expect.arrayContaining([expect.objectContaining({ processorReference: intent, status: 'booked', paymentId: payment.id, paymentNumber: payment.number, amountCents: 6000 })]),
    );

    // A later refund made in the dashboard goes the existing way: booked on the payment by charge.refunded.
    const refunded = event('charge.refunded', { ...dashboardCharge(chargeId, intent, 6000), amount_refunded: 1000, refunds: { object: 'list', data: [{ id: `re_dash_${tag}`, object: 'refund', amount: 1000, status: 'succeeded', payment_intent: intent }] } });
    expect(json(await t.request('POST', '/api/v1/webhooks/stripe', { as: null, body: refunded, headers: signed(refunded) }), 200).refundsRecorded).toBe(1);
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200)).toMatchObject({ status: 'partially_refunded', refundedCents: 1000 });
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 6000 - 204 - 1000, patient_receivable: 0, patient_unapplied: -500, patient_credit: 0 });
    await t.expectLedgerBalances();
  });

  it('the payer email finds a patient only when exactly one has it; our own charge is never booked a second time', async () => {
    const one = await makePatient(t, undefined, { email: `only.${tag}@example.com` });
    await makePatient(t, undefined, { email: `twin.${tag}@example.com` });
    await makePatient(t, undefined, { email: `twin.${tag}@example.com` });
    const byEmail = await send('charge.succeeded', dashboardCharge(`ch_mail_${tag}`, `pi_mail_${tag}`, 1200, { billing_details: { email: `ONLY.${tag}@example.com` }, metadata: { practice: 'alpha' } }));
    expect(byEmail.reconciliation.outcome).toBe('booked');
    expect(await patientAccounts(db(), one.id)).toMatchObject({ cash_clearing: 1200, patient_unapplied: -1200 });
    // Two patients share the email: never guessed, held for the biller.
    const twins = await send('charge.succeeded', dashboardCharge(`ch_twin_${tag}`, `pi_twin_${tag}`, 800, { receipt_email: `twin.${tag}@example.com`, metadata: { practice: 'alpha' } }));
    expect(twins.reconciliation.outcome).toBe('held');
    // One of ours whose charge.succeeded outruns our own booking (our metadata): left to the charge path.
    const entries = await entryCount();
    const ours = await send('charge.succeeded', dashboardCharge(`ch_ours_${tag}`, `pi_ours_${tag}`, 500, { metadata: { paymentId: 'pay_x', chargeAttempt: 'k1', practice: 'alpha' } }));
    expect(ours.reconciliation.outcome).toBe('known');
    expect(await entryCount()).toBe(entries);
    await t.expectLedgerBalances();
  });

  it('a dashboard charge naming no patient is held on unidentified receipts, listed, and assigned once to a patient through the payment path', async () => {
    const patient = await makePatient(t);
    const treatment = await makeSelfPayTreatment(t, patient.id, 1800);
    const intent = `pi_held_${tag}`;
    const tbBefore = await trialBalance();
    const held = await send('charge.succeeded', dashboardCharge(`ch_held_${tag}`, intent, 2500, { billing_details: { email: 'stranger@example.com' }, description: 'Paid at the front desk terminal', metadata: { practice: 'alpha' } }));
    expect(held.reconciliation).toEqual({ kind: 'charge_succeeded', outcome: 'held', unmatched: false });
    expect((await send('charge.succeeded', dashboardCharge(`ch_held_${tag}`, intent, 2500, { metadata: { practice: 'alpha' } }))).reconciliation.outcome).toBe('already_booked');
    const tbHeld = await trialBalance();
    expect(tbHeld.cash_clearing - tbBefore.cash_clearing).toBe(2500);
    expect(tbHeld.unidentified_receipts - tbBefore.unidentified_receipts).toBe(-2500);
    expect(tbHeld.patient_unapplied).toBe(tbBefore.patient_unapplied);
    await t.expectLedgerBalances();

    const queue = json(await t.request('GET', '/api/v1/processor-receipts', { as: t.biller }), 200);
    const receipt = queue.items.find((r: any) => r.processorReference === intent);
    expect(receipt).toMatchObject({ status: 'held', amountCents: 2500, payerEmail: 'stranger@example.com', description: 'Paid at the front desk terminal', paymentId: null });
    const report = json(await t.request('GET', '/api/v1/reports/processor-reconciliation?from=2026-01-01&to=2026-01-01', { as: t.biller }), 200);
    expect(report.heldReceipts.map((r: any) => r.id)).toContain(receipt.id);
    // Another practice neither sees nor assigns it; the front desk may not; bad input writes nothing.
    expect(json(await t.request('GET', '/api/v1/processor-receipts', { as: t.otherAdmin }), 200).items).toEqual([]);
    const otherPatient = await makePatient(t, t.otherAdmin);
    expect(json(await t.request('POST', `/api/v1/processor-receipts/${receipt.id}/assign`, { as: t.otherAdmin, body: { patientId: otherPatient.id } }), 404).code).toBe('not_found');
    expect(json(await t.request('POST', `/api/v1/processor-receipts/${receipt.id}/assign`, { as: t.biller, body: { patientId: otherPatient.id } }), 404).code).toBe('not_found');
    expect((await t.request('POST', `/api/v1/processor-receipts/${receipt.id}/assign`, { as: t.frontDesk, body: { patientId: patient.id } })).statusCode).toBe(403);
    expect(json(await t.request('POST', `/api/v1/processor-receipts/${receipt.id}/assign`, { as: t.biller, body: {} }), 400).code).toBe('validation_failed');
    expect(await trialBalance()).toEqual(tbHeld);

    const headers = { 'idempotency-key': `assign-${tag}` };
    const assigned = json(await t.request('POST', `/api/v1/processor-receipts/${receipt.id}/assign`, { as: t.biller, body: { patientId: patient.id }, headers }), 200);
    expect(assigned).toMatchObject({ id: receipt.id, status: 'assigned', patientName: `${patient.firstName} ${patient.lastName}`, amountCents: 2500 });
    // The retry replays the first answer; another attempt is refused; nothing is booked twice.
    expect(json(await t.request('POST', `/api/v1/processor-receipts/${receipt.id}/assign`, { as: t.biller, body: { patientId: patient.id }, headers }), 200)).toEqual(assigned);
    expect(json(await t.request('POST', `/api/v1/processor-receipts/${receipt.id}/assign`, { as: t.biller, body: { patientId: patient.id } }), 422).code).toBe('business_rule');
    const payment = json(await t.request('GET', `/api/v1/payments/${assigned.paymentId}`), 200);
    expect(payment).toMatchObject({ number: assigned.paymentNumber, status: 'paid', method: 'card', amountCents: 2500, billing: { appliedCents: 1800, unappliedCents: 700 } });
    expect(json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200).balanceCents).toBe(0);
    const tbAssigned = await trialBalance();
    expect(tbAssigned.unidentified_receipts).toBe(tbBefore.unidentified_receipts);
    expect(tbAssigned.cash_clearing - tbBefore.cash_clearing).toBe(2500);
    expect(tbAssigned.patient_unapplied - tbBefore.patient_unapplied).toBe(-700);
    expect(await paymentLedger(payment.id)).toEqual({ cash_clearing: 2500, patient_unapplied: -700 });
    expect(json(await t.request('GET', '/api/v1/processor-receipts', { as: t.biller }), 200).items.map((r: any) => r.id)).not.toContain(receipt.id);
    const csv = await t.request('GET', '/api/v1/processor-receipts/export.csv?status=resolved', { as: t.biller });
    expect(csv.statusCode).toBe(200);
    const csvLines = csv.body.trim().split('\r\n');
    expect(csvLines[0]).toBe('receivedDate,processorReference,amount,status,payerEmail,description,payment,patient,resolvedDate,returned,dispute');
    expect(csvLines.find((l) => l.includes(intent))).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2},${intent},25\\.00,assigned,stranger@example\\.com,Paid at the front desk terminal,${assigned.paymentNumber},${patient.firstName} ${patient.lastName},\\d{4}-\\d{2}-\\d{2},0\\.00,$`));
    await t.expectLedgerBalances();

    // A later dispute of the charge works the existing way on the payment it became.
    const opened = await send('charge.dispute.created', dispute(`dp_held_${tag}`, intent, 2500, 'needs_response'));
    expect(opened.reconciliation.outcome).toBe('opened');
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200).status).toBe('disputed');
    await t.expectLedgerBalances();

    // Verify sees a receipt put back to held after it became a payment.
    await db().updateTable('processorReceipts').set({ status: 'held' }).where('id', '=', receipt.id).execute();
    const problems = await verifyLedger(db());
    expect(problems.filter((p) => p.check === 'unidentified_receipts').map((p) => p.entity)).toContain('unidentified_receipts account');
    expect(problems.some((p) => p.check === 'entry_lines' && p.entity.includes('processor_receipt_released'))).toBe(true);
    await db().updateTable('processorReceipts').set({ status: 'assigned' }).where('id', '=', receipt.id).execute();
    await t.expectLedgerBalances();
  });

  it('a held receipt refunded whole in the dashboard leaves the holding account once and can no longer be assigned', async () => {
    const patient = await makePatient(t);
    const intent = `pi_back_${tag}`;
    const tbBefore = await trialBalance();
    expect((await send('charge.succeeded', dashboardCharge(`ch_back_${tag}`, intent, 900, { metadata: { practice: 'alpha' } }))).reconciliation.outcome).toBe('held');
    const refunded = event('charge.refunded', { ...dashboardCharge(`ch_back_${tag}`, intent, 900), amount_refunded: 900, refunded: true, refunds: { object: 'list', data: [{ id: `re_back_${tag}`, object: 'refund', amount: 900, status: 'succeeded' }] } });
    expect(json(await t.request('POST', '/api/v1/webhooks/stripe', { as: null, body: refunded, headers: signed(refunded) }), 200).refundsRecorded).toBe(1);
    expect(json(await t.request('POST', '/api/v1/webhooks/stripe', { as: null, body: refunded, headers: signed(refunded) }), 200).refundsRecorded).toBe(0);
    expect(await trialBalance()).toEqual(tbBefore);
    const receipt = json(await t.request('GET', '/api/v1/processor-receipts?status=resolved', { as: t.biller }), 200).items.find((r: any) => r.processorReference === intent);
    expect(receipt).toMatchObject({ status: 'returned', paymentId: null });
    expect(json(await t.request('POST', `/api/v1/processor-receipts/${receipt.id}/assign`, { as: t.biller, body: { patientId: patient.id } }), 422).code).toBe('business_rule');
    await t.expectLedgerBalances();
  });

  async function heldReceipt(reference: string, amount: number) {
    expect((await send('charge.succeeded', dashboardCharge(`ch_${reference.slice(3)}`, reference, amount, { metadata: { practice: 'alpha' } }))).reconciliation.outcome).toBe('held');
    return json(await t.request('GET', '/api/v1/processor-receipts', { as: t.biller }), 200).items.find((r: any) => r.processorReference === reference);
  }

  it("a held receipt's dispute is held against no payment and blocks assigning and returning; lost, that much goes back to the card and the rest is still assigned once", async () => {
    const patient = await makePatient(t);
    const treatment = await makeSelfPayTreatment(t, patient.id, 1800);
    const intent = `pi_hdisp_${tag}`;
    const tbBefore = await trialBalance();
    const receipt = await heldReceipt(intent, 5000);
    expect(receipt).toMatchObject({ status: 'held', amountCents: 5000, returnedCents: 0, returnUnderWay: false, dispute: null });

    const opened = await send('charge.dispute.created', dispute(`dp_hdisp_${tag}`, intent, 2000, 'needs_response'));
    expect(opened.reconciliation).toEqual({ kind: 'dispute_opened', outcome: 'opened_on_receipt', unmatched: false });
    expect((await send('charge.dispute.funds_withdrawn', dispute(`dp_hdisp_${tag}`, intent, 2000, 'needs_response'))).reconciliation.outcome).toBe('already_open');
    const tbOpen = await trialBalance();
    expect(tbOpen.processor_disputes - tbBefore.processor_disputes).toBe(2000);
    expect(tbOpen.cash_clearing - tbBefore.cash_clearing).toBe(5000 - 2000);
    expect(tbOpen.unidentified_receipts - tbBefore.unidentified_receipts).toBe(-5000);
    const disputed = json(await t.request('GET', '/api/v1/processor-receipts', { as: t.biller }), 200).items.find((r: any) => r.id === receipt.id);
    expect(disputed.dispute).toEqual({ processorDisputeId: `dp_hdisp_${tag}`, amountCents: 2000, reason: 'fraudulent', status: 'open', evidenceDueBy: '2026-12-10' });
    await t.expectLedgerBalances();

    // While the processor holds it, nobody can assign or return it; nothing is written.
    expect(json(await t.request('POST', `/api/v1/processor-receipts/${receipt.id}/assign`, { as: t.biller, body: { patientId: patient.id } }), 422).detail).toContain('dispute');
    expect(json(await t.request('POST', `/api/v1/processor-receipts/${receipt.id}/return`, { as: t.biller }), 422).detail).toContain('dispute');
    expect(await trialBalance()).toEqual(tbOpen);

    const lost = await send('charge.dispute.closed', dispute(`dp_hdisp_${tag}`, intent, 2000, 'lost'));
    expect(lost.reconciliation).toEqual({ kind: 'dispute_closed', outcome: 'lost', unmatched: false });
    expect((await send('charge.dispute.closed', dispute(`dp_hdisp_${tag}`, intent, 2000, 'lost'))).reconciliation.outcome).toBe('already_closed');
    const tbLost = await trialBalance();
    expect(tbLost.processor_disputes).toBe(tbBefore.processor_disputes);
    expect(tbLost.cash_clearing - tbBefore.cash_clearing).toBe(3000);
    expect(tbLost.unidentified_receipts - tbBefore.unidentified_receipts).toBe(-3000);
    const afterLoss = json(await t.request('GET', '/api/v1/processor-receipts', { as: t.biller }), 200).items.find((r: any) => r.id === receipt.id);
    expect(afterLoss).toMatchObject({ status: 'held', returnedCents: 2000, dispute: { status: 'lost', amountCents: 2000 } });
    const csv = await t.request('GET', '/api/v1/processor-receipts/export.csv?status=held', { as: t.biller });
    expect(csv.body.split('\r\n').find((l) => l.includes(intent))).toMatch(new RegExp(`,${intent},50\\.00,held,.*,20\\.00,lost 20\\.00$`));
    await t.expectLedgerBalances();

    // The rest becomes the patient's payment: $30.00, $18.00 of it applied to the visit.
    const assigned = json(await t.request('POST', `/api/v1/processor-receipts/${receipt.id}/assign`, { as: t.biller, body: { patientId: patient.id } }), 200);
    expect(assigned).toMatchObject({ status: 'assigned', returnedCents: 2000 });
    const payment = json(await t.request('GET', `/api/v1/payments/${assigned.paymentId}`), 200);
    expect(payment).toMatchObject({ status: 'paid', amountCents: 3000, billing: { appliedCents: 1800, unappliedCents: 1200 } });
    expect(json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200).balanceCents).toBe(0);
    const tbAssigned = await trialBalance();
    expect(tbAssigned.unidentified_receipts).toBe(tbBefore.unidentified_receipts);
    expect(tbAssigned.cash_clearing - tbBefore.cash_clearing).toBe(3000);
    expect(tbAssigned.patient_unapplied - tbBefore.patient_unapplied).toBe(-1200);
    expect(await paymentLedger(payment.id)).toEqual({ cash_clearing: 3000, patient_unapplied: -1200 });
    await t.expectLedgerBalances();

    // Verify names a receipt whose running total disagrees with its returns.
    await db().updateTable('processorReceipts').set({ returnedCents: 1500 }).where('id', '=', receipt.id).execute();
    const problems = await verifyLedger(db());
    expect(problems.filter((p) => p.check === 'unidentified_receipts').map((p) => p.detail)).toContain('assigned but has given back more or less than its returns say');
    await db().updateTable('processorReceipts').set({ returnedCents: 2000 }).where('id', '=', receipt.id).execute();
    await t.expectLedgerBalances();
  });

  it("a held receipt's dispute won gives the hold back and leaves the receipt to assign; its payout fee and dispute transaction are the receipt's", async () => {
    const intent = `pi_hwon_${tag}`;
    const tbBefore = await trialBalance();
    const receipt = await heldReceipt(intent, 700);
    expect((await send('charge.dispute.created', dispute(`dp_hwon_${tag}`, intent, 700, 'needs_response'))).reconciliation.outcome).toBe('opened_on_receipt');
    expect((await send('charge.dispute.closed', dispute(`dp_hwon_${tag}`, intent, 700, 'won'))).reconciliation.outcome).toBe('won');
    const tbWon = await trialBalance();
    expect(tbWon.processor_disputes).toBe(tbBefore.processor_disputes);
    expect(tbWon.cash_clearing - tbBefore.cash_clearing).toBe(700);
    expect(tbWon.unidentified_receipts - tbBefore.unidentified_receipts).toBe(-700);
    expect(json(await t.request('GET', '/api/v1/processor-receipts', { as: t.biller }), 200).items.find((r: any) => r.id === receipt.id)).toMatchObject({ status: 'held', returnedCents: 0, dispute: { status: 'won' } });

    // Its payout: the charge with its fee, booked against no payment once; the item is matched to the receipt.
    const payoutId = `po_hwon_${tag}`;
    const txn = charge(`txn_hwon_${tag}`, intent, 700, 50);
    balanceTransactions.set(payoutId, [txn, payoutTxn(payoutId, 650)]);
    expect((await send('payout.paid', payout(payoutId, 650))).reconciliation).toMatchObject({ outcome: 'recorded', unmatched: false, payout: { matched: 1, unmatched: 0, feesBooked: 1 } });
    expect((await send('payout.paid', payout(payoutId, 650))).reconciliation.outcome).toBe('already_recorded');
    const tbPaid = await trialBalance();
    expect(tbPaid.processor_fees - tbWon.processor_fees).toBe(50);
    expect(tbPaid.cash_clearing - tbWon.cash_clearing).toBe(-50);
    const report = json(await t.request('GET', '/api/v1/reports/processor-reconciliation?from=2026-11-27&to=2026-11-27', { as: t.biller }), 200);
    const item = report.payouts.find((p: any) => p.processorPayoutId === payoutId).items[0];
    expect(item).toMatchObject({ matched: true, paymentId: null, processorReceiptId: receipt.id, feeCents: 50 });
    await t.expectLedgerBalances();

    // Assigned later: the payment takes the whole charge; the fee stays the practice's cost, on no payment.
    const patient = await makePatient(t);
    const assigned = json(await t.request('POST', `/api/v1/processor-receipts/${receipt.id}/assign`, { as: t.biller, body: { patientId: patient.id } }), 200);
    expect(await paymentLedger(assigned.paymentId)).toEqual({ cash_clearing: 700, patient_unapplied: -700 });
    expect((await trialBalance()).unidentified_receipts).toBe(tbBefore.unidentified_receipts);
    await t.expectLedgerBalances();
  });

  it('a held receipt given back from the app: what remains is refunded through the processor once, whatever the order of its own refund event; declined, it stays held', async () => {
    const intent = `pi_hret_${tag}`;
    const tbBefore = await trialBalance();
    const receipt = await heldReceipt(intent, 1200);
    // $2.00 refunded in Stripe's dashboard first; the event names no refund (API versions since 2022-11-15 leave them out).
    const partial = event('charge.refunded', { ...dashboardCharge(`ch_hret_${tag}`, intent, 1200), amount_refunded: 200, refunded: false });
    expect(json(await t.request('POST', '/api/v1/webhooks/stripe', { as: null, body: partial, headers: signed(partial) }), 200).refundsRecorded).toBe(1);
    expect(json(await t.request('POST', '/api/v1/webhooks/stripe', { as: null, body: partial, headers: signed(partial) }), 200).refundsRecorded).toBe(0);
    const tbPartial = await trialBalance();
    expect(tbPartial.cash_clearing - tbBefore.cash_clearing).toBe(1000);
    expect(tbPartial.unidentified_receipts - tbBefore.unidentified_receipts).toBe(-1000);
    await t.expectLedgerBalances();

    // Another practice cannot; the front desk may not; nothing is written.
    expect(json(await t.request('POST', `/api/v1/processor-receipts/${receipt.id}/return`, { as: t.otherAdmin }), 404).code).toBe('not_found');
    expect((await t.request('POST', `/api/v1/processor-receipts/${receipt.id}/return`, { as: t.frontDesk })).statusCode).toBe(403);
    expect(await trialBalance()).toEqual(tbPartial);

    const asked = refundsMade.length;
    const headers = { 'idempotency-key': `return-${tag}` };
    const returned = json(await t.request('POST', `/api/v1/processor-receipts/${receipt.id}/return`, { as: t.biller, headers }), 200);
    expect(returned).toMatchObject({ id: receipt.id, status: 'returned', returnedCents: 1200, returnUnderWay: false, paymentId: null });
    expect(json(await t.request('POST', `/api/v1/processor-receipts/${receipt.id}/return`, { as: t.biller, headers }), 200)).toEqual(returned);
    expect(refundsMade).toHaveLength(asked + 1);
    expect(Object.fromEntries(refundsMade.at(-1)!.body)).toMatchObject({ payment_intent: intent, amount: '1000' });
    expect(await trialBalance()).toEqual(tbBefore);
    // Stripe's own event for that refund, carrying the charge's total, books nothing more.
    const whole = event('charge.refunded', { ...dashboardCharge(`ch_hret_${tag}`, intent, 1200), amount_refunded: 1200, refunded: true });
    expect(json(await t.request('POST', '/api/v1/webhooks/stripe', { as: null, body: whole, headers: signed(whole) }), 200).refundsRecorded).toBe(0);
    expect(await trialBalance()).toEqual(tbBefore);
    const patient = await makePatient(t);
    expect(json(await t.request('POST', `/api/v1/processor-receipts/${receipt.id}/return`, { as: t.biller }), 422).code).toBe('business_rule');
    expect(json(await t.request('POST', `/api/v1/processor-receipts/${receipt.id}/assign`, { as: t.biller, body: { patientId: patient.id } }), 422).code).toBe('business_rule');
    await t.expectLedgerBalances();

    // The processor's event first, then our booking of the same refund: once.
    const early = await heldReceipt(`pi_hearly_${tag}`, 800);
    const earlyEvent = event('charge.refunded', { ...dashboardCharge(`ch_hearly_${tag}`, `pi_hearly_${tag}`, 800), amount_refunded: 800, refunded: true });
    expect(json(await t.request('POST', '/api/v1/webhooks/stripe', { as: null, body: earlyEvent, headers: signed(earlyEvent) }), 200).refundsRecorded).toBe(1);
    expect(json(await t.request('POST', `/api/v1/processor-receipts/${early.id}/return`, { as: t.biller }), 422).code).toBe('business_rule');
    expect(await trialBalance()).toEqual(tbBefore);

    // Declined by the processor: the receipt stays held and assignable, nothing is booked.
    const declined = await heldReceipt(`pi_hdecline_${tag}`, 400);
    const tbHeld = await trialBalance();
    expect(json(await t.request('POST', `/api/v1/processor-receipts/${declined.id}/return`, { as: t.biller }), 402).code).toBe('processor_declined');
    expect(json(await t.request('GET', '/api/v1/processor-receipts', { as: t.biller }), 200).items.find((r: any) => r.id === declined.id)).toMatchObject({ status: 'held', returnedCents: 0, returnUnderWay: false });
    expect(await trialBalance()).toEqual(tbHeld);
    await t.expectLedgerBalances();
  });
});

describe.each(dialects)('sandbox processor events through the same reconciliation on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('a sandbox dispute won and a sandbox payout with fees book exactly what the Stripe events book', async () => {
    const db = t.database.handle.db;
    const patient = await makePatient(t);
    const charged = json(await t.request('POST', `/api/v1/payments/${(await makePayment(t, patient.id, { amountCents: 7000, method: 'card' })).id}/charge`, { body: { source: '4242424242424242' } }), 200);
    const reference = (await db.selectFrom('payments').select('processorReference').where('id', '=', charged.id).executeTakeFirstOrThrow()).processorReference!;
    expect(reference).toMatch(/^sbx_ch_ok_/);
    const sandboxDispute = { id: 'sbx_dp_1', amountCents: 7000, reason: 'product_not_received', status: 'needs_response', chargeReferences: [reference], evidenceDueBy: null };
    expect(await handleProcessorEvent(db, t.processor, { kind: 'dispute_opened', dispute: sandboxDispute })).toMatchObject({ outcome: 'opened' });
    expect(json(await t.request('GET', `/api/v1/payments/${charged.id}`), 200).status).toBe('disputed');
    expect(await handleProcessorEvent(db, t.processor, { kind: 'dispute_closed', dispute: { ...sandboxDispute, status: 'won' }, outcome: 'won' })).toMatchObject({ outcome: 'won' });
    expect(json(await t.request('GET', `/api/v1/payments/${charged.id}`), 200).status).toBe('paid');

    t.processor.recordPayout('sbx_po_1', [
      { id: 'sbx_txn_1', type: 'charge', amountCents: 7000, feeCents: 233, netCents: 6767, sourceReference: reference, chargeReferences: [reference], description: null },
    ]);
    const payout = { id: 'sbx_po_1', amountCents: 6767, arrivalDate: '2026-11-30', status: 'paid' };
    expect(await handleProcessorEvent(db, t.processor, { kind: 'payout_paid', payout })).toMatchObject({ outcome: 'recorded', payout: { matched: 1, feesBooked: 1 } });
    expect(await handleProcessorEvent(db, t.processor, { kind: 'payout_paid', payout })).toMatchObject({ outcome: 'already_recorded' });
    expect(await patientAccounts(db, patient.id)).toMatchObject({ cash_clearing: 6767, patient_unapplied: -7000 });
    const report = json(await t.request('GET', '/api/v1/reports/processor-reconciliation?from=2026-11-30&to=2026-11-30'), 200);
    expect(report.payouts).toEqual([expect.objectContaining({ processorPayoutId: 'sbx_po_1', balanced: true, totals: expect.objectContaining({ feesCents: 233, netCents: 6767 }) })]);
    await t.expectLedgerBalances();
  });
});
