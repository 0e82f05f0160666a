import { describe, expect, it } from 'vitest';
import { makeCardPayment, makeLocation, makePatient, makePayment, makeSelfPayTreatment, makeTreatment } from './helpers/factories.ts';
import { build835 } from '../src/x12/build-835.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp } from './helpers/test-app.ts';
import { patientAccounts } from './helpers/ledger-accounts.ts';
import { refundPayment } from '../src/services/refunds/refund-payment.ts';

const cards = { ok: '4242424242424242', declined: '4000000000000002', refundDeclined: '4000000000005126', refundTimeout: '4000000000000119' };

describe.each(dialects)('refunds on %s', (dialect) => {
  const t = useTestApp(dialect);

  const refund = (paymentId: string, body: unknown, headers?: Record<string, string>) =>
    t.request('POST', `/api/v1/payments/${paymentId}/refunds`, { body, as: t.biller, ...(headers ? { headers } : {}) });
  const getPayment = async (id: string) => json(await t.request('GET', `/api/v1/payments/${id}`), 200);
  async function refundRows(paymentId: string) {
    return t.database.handle.db.selectFrom('refunds').selectAll().where('paymentId', '=', paymentId).execute();
  }

  it('R1: a full refund of an applied card payment leaves it over-applied, with its application intact', async () => {
    const patient = await makePatient(t);
    const treatment = await makeSelfPayTreatment(t, patient.id, 10000);
    // Paid for a self-pay visit, the payment applies to it at once.
    const payment = await makeCardPayment(t, patient.id, 10000, cards.ok, { treatmentId: treatment.id });
    expect(payment).toMatchObject({ status: 'paid', amountCents: 10000 });
    const [application] = json(await t.request('GET', `/api/v1/payments/${payment.id}/applications`), 200).items;
    expect(application).toMatchObject({ treatmentId: treatment.id, amountCents: 10000 });

    const result = json(await refund(payment.id, { full: true, reason: 'duplicate_charge' }), 201);
    expect(result).toMatchObject({ amountCents: 10000, reason: 'duplicate_charge', method: 'processor', status: 'succeeded' });
    expect(result.processorReference).toMatch(/^sbx_re_/);

    const after = await getPayment(payment.id);
    expect(after).toMatchObject({ status: 'refunded', chargedThroughProcessor: true, refundableCents: 0 });
    expect(after.refundedCents).toBe(10000);
    expect(after.billing).toEqual({ netAmountCents: 0, reference: 'Refunded', appliedCents: 10000, unappliedCents: -10000, overApplied: true });
    const applications = json(await t.request('GET', `/api/v1/payments/${payment.id}/applications`), 200);
    expect(applications.items).toEqual([expect.objectContaining({ id: application.id, treatmentId: treatment.id, amountCents: 10000, removedAt: null })]);
    const overApplied = json(await t.request('GET', '/api/v1/reports/over-applied'), 200);
    expect(overApplied.items.map((p: any) => p.id)).toContain(payment.id);
    await t.expectLedgerBalances();

    // The biller unapplies: the payment leaves the work list, the treatment is open again.
    json(await t.request('DELETE', `/api/v1/applications/${application.id}`, { as: t.biller }), 200);
    expect((await getPayment(payment.id)).billing).toMatchObject({ appliedCents: 0, unappliedCents: 0, overApplied: false });
    expect(json(await t.request('GET', '/api/v1/reports/over-applied'), 200).items.map((p: any) => p.id)).not.toContain(payment.id);
    expect(json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200).balanceCents).toBe(10000);
    await t.expectLedgerBalances();
  });

  it('C1: a $70.00 visit paid with $120.00, $50.00 refunded as credit, a new credit, and a later visit drawn from both lots', async () => {
    const db = t.database.handle.db;
    const patient = await makePatient(t);
    const visit = await makeSelfPayTreatment(t, patient.id, 7000);
    // Paid by card for the self-pay visit: $70.00 applies to it at once, $50.00 stays unapplied.
    const payment = await makeCardPayment(t, patient.id, 12000, cards.ok, { treatmentId: visit.id });
    expect(payment.billing).toEqual({ netAmountCents: 12000, reference: payment.number, appliedCents: 7000, unappliedCents: 5000, overApplied: false });
    expect(json(await t.request('GET', `/api/v1/treatments/${visit.id}`), 200).balanceCents).toBe(0);
    expect(await patientAccounts(db, patient.id)).toEqual({ cash_clearing: 12000, patient_receivable: 0, patient_unapplied: -5000, patient_credit: 0 });

    const processorRefundsBefore = t.processor.refundCount;
    const asCredit = json(await refund(payment.id, { amountCents: 5000, reason: 'patient_request', asCredit: true }), 201);
    expect(asCredit).toMatchObject({ method: 'credit', status: 'succeeded', creditId: expect.any(String) });
    expect(asCredit.payment).toMatchObject({ status: 'partially_refunded', refundedCents: 5000 });
    expect(asCredit.payment.billing).toEqual({ netAmountCents: 7000, reference: payment.number, appliedCents: 7000, unappliedCents: 0, overApplied: false });
    // Issued as credit: no money goes back through the processor, and the practice still holds all of it.
    expect(t.processor.refundCount).toBe(processorRefundsBefore);
    expect(await patientAccounts(db, patient.id)).toEqual({ cash_clearing: 12000, patient_receivable: 0, patient_unapplied: 0, patient_credit: -5000 });
    expect(json(await t.request('GET', '/api/v1/reports/over-applied'), 200).items.map((p: any) => p.id)).not.toContain(payment.id);

    const manual = json(await t.request('POST', `/api/v1/patients/${patient.id}/credits`, { as: t.biller, body: { amountCents: 2500, reference: 'PAY-0042', description: 'Courtesy' } }), 201);
    const credits = json(await t.request('GET', `/api/v1/patients/${patient.id}/credits`), 200);
    expect(credits.availableCents).toBe(7500);
    expect(credits.items.find((c: any) => c.id === manual.id)).toMatchObject({ source: 'manual', amountCents: 2500, reference: 'PAY-0042', description: 'Courtesy' });
    expect(credits.items.find((c: any) => c.id === asCredit.creditId)).toMatchObject({ source: 'refund', amountCents: 5000, refundId: asCredit.id, paymentId: payment.id, description: 'Refund issued as credit' });
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).balance).toEqual({ patientResponsibilityCents: 0, unappliedCents: 0, creditCents: 7500 });

    // A later $60.00 visit: refund and manual credits are never applied by themselves.
    const later = await makeSelfPayTreatment(t, patient.id, 6000, '2026-04-06');
    expect(later.balanceCents).toBe(6000);
    expect(await patientAccounts(db, patient.id)).toEqual({ cash_clearing: 12000, patient_receivable: 6000, patient_unapplied: 0, patient_credit: -7500 });
    const first = json(await t.request('POST', `/api/v1/treatments/${later.id}/apply-credit`, { body: { creditId: asCredit.creditId, amountCents: 5000 } }), 201);
    const second = json(await t.request('POST', `/api/v1/treatments/${later.id}/apply-credit`, { body: { creditId: manual.id, amountCents: 1000 } }), 201);
    expect(first.credit.remainingCents).toBe(0);
    expect(second.credit.remainingCents).toBe(1500);
    const creditPayment = await getPayment(second.paymentId);
    expect(creditPayment).toMatchObject({ method: 'patient_credit', status: 'paid', amountCents: 1000, treatmentId: later.id });
    expect(json(await t.request('GET', `/api/v1/treatments/${later.id}`), 200)).toMatchObject({ patientResponsibilityCents: 6000, balanceCents: 0 });
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}/credits`), 200).availableCents).toBe(1500);
    expect(await patientAccounts(db, patient.id)).toEqual({ cash_clearing: 12000, patient_receivable: 0, patient_unapplied: 0, patient_credit: -1500 });
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).balance).toEqual({ patientResponsibilityCents: 0, unappliedCents: 0, creditCents: 1500 });
    // More than a lot holds is refused and changes nothing.
    const tooMuch = await t.request('POST', `/api/v1/treatments/${later.id}/apply-credit`, { body: { creditId: manual.id, amountCents: 1600 } });
    expect(json(tooMuch, 422).code).toBe('credit_exceeds_available');
    expect(await patientAccounts(db, patient.id)).toEqual({ cash_clearing: 12000, patient_receivable: 0, patient_unapplied: 0, patient_credit: -1500 });
    await t.expectLedgerBalances();
  });

  it('C2: a credit pays only its own patient, within what remains; a transfer carries what remains, its reference and description; each posts per account', async () => {
    const db = t.database.handle.db;
    const owner = await makePatient(t);
    const other = await makePatient(t);
    const entryOf = async (kind: string, creditId: string) => {
      const entry = await db.selectFrom('journalEntries').select(['id', 'memo']).where('kind', '=', kind).where('sourceId', '=', creditId).executeTakeFirstOrThrow();
      const lines = await db.selectFrom('journalLines').select(['account', 'patientId', 'amountCents']).where('entryId', '=', entry.id).orderBy('amountCents').execute();
      return { memo: entry.memo, lines: lines.map((l) => ({ ...l, amountCents: Number(l.amountCents) })) };
    };
    const audit = async (action: string, entityId: string) => {
      const row = await db.selectFrom('auditEvents').select(['entityType', 'before', 'after']).where('action', '=', action).where('entityId', '=', entityId).executeTakeFirstOrThrow();
      return { entityType: row.entityType, before: JSON.parse(row.before ?? 'null'), after: JSON.parse(row.after ?? 'null') };
    };
    const event = async (type: string, key: string, id: string) =>
      (await db.selectFrom('outboxEvents').select('payload').where('type', '=', type).execute()).map((e) => JSON.parse(e.payload)).filter((p) => p[key] === id);

    const goodwill = json(await t.request('POST', `/api/v1/patients/${owner.id}/credits`, { as: t.biller, body: { amountCents: 3000, reference: 'GC-7', description: 'Goodwill' } }), 201);
    const plain = json(await t.request('POST', `/api/v1/patients/${owner.id}/credits`, { as: t.biller, body: { amountCents: 1000 } }), 201);
    expect(plain).toMatchObject({ patientId: owner.id, amountCents: 1000, remainingCents: 1000, source: 'manual', reference: null, description: null });
    expect(await entryOf('credit_created', goodwill.id)).toEqual({
      memo: 'Goodwill',
      lines: [
        { account: 'patient_credit', patientId: owner.id, amountCents: -3000 },
        { account: 'credit_adjustment', patientId: owner.id, amountCents: 3000 },
      ],
    });
    expect((await entryOf('credit_created', plain.id)).memo).toBe('New credit');
    expect(await audit('credit.created', goodwill.id)).toMatchObject({ entityType: 'credit', after: { id: goodwill.id, amountCents: 3000, reference: 'GC-7' } });
    expect(await event('credit.created', 'id', plain.id)).toEqual([expect.objectContaining({ amountCents: 1000, source: 'manual' })]);
    const listed = json(await t.request('GET', `/api/v1/patients/${owner.id}/credits`), 200);
    expect(listed.availableCents).toBe(4000);
    expect(listed.items.map((c: any) => c.id).sort()).toEqual([goodwill.id, plain.id].sort());

    // Another patient's visit, or more than the lot holds: refused, nothing moves.
    const theirs = await makeSelfPayTreatment(t, other.id, 2000);
    const mine = await makeSelfPayTreatment(t, owner.id, 2000);
    const applyCredit = (treatmentId: string, creditId: string, amountCents: number) => t.request('POST', `/api/v1/treatments/${treatmentId}/apply-credit`, { body: { creditId, amountCents } });
    expect(json(await applyCredit(theirs.id, goodwill.id, 500), 400)).toMatchObject({ code: 'validation_failed', detail: "A credit can only pay its own patient's treatments." });
    expect(json(await applyCredit(mine.id, plain.id, 1001), 422)).toMatchObject({ code: 'credit_exceeds_available', detail: 'The credit has only 1000 cents left.', details: { remainingCents: 1000 } });
    expect(await patientAccounts(db, owner.id)).toEqual({ cash_clearing: 0, patient_receivable: 2000, patient_unapplied: 0, patient_credit: -4000 });

    const drawn = json(await applyCredit(mine.id, goodwill.id, 1200), 201);
    expect(drawn.credit).toMatchObject({ id: goodwill.id, amountCents: 3000, remainingCents: 1800 });
    expect(drawn.application).toMatchObject({ paymentId: drawn.paymentId, treatmentId: mine.id, amountCents: 1200 });
    expect(await getPayment(drawn.paymentId)).toMatchObject({ method: 'patient_credit', status: 'paid', amountCents: 1200, memo: `Paid from credit ${goodwill.id}` });
    expect(await audit('credit.applied', goodwill.id)).toEqual({
      entityType: 'credit',
      before: { remainingCents: 3000 },
      after: { remainingCents: 1800, paymentId: drawn.paymentId, treatmentId: mine.id },
    });
    expect(await event('credit.applied', 'creditId', goodwill.id)).toEqual([{ creditId: goodwill.id, paymentId: drawn.paymentId, treatmentId: mine.id, amountCents: 1200 }]);
    expect(await patientAccounts(db, owner.id)).toEqual({ cash_clearing: 0, patient_receivable: 800, patient_unapplied: 0, patient_credit: -2800 });

    // Another practice does not find the credit.
    const theirPatient = await makePatient(t, t.otherAdmin);
    expect(json(await t.request('POST', `/api/v1/credits/${goodwill.id}/transfer`, { as: t.otherAdmin, body: { toPatientId: theirPatient.id } }), 404)).toMatchObject({
      code: 'not_found',
      detail: 'Credit not found.',
    });
    // Transfers: not to its own patient; what remains moves, with the reference and the description.
    expect(json(await t.request('POST', `/api/v1/credits/${goodwill.id}/transfer`, { body: { toPatientId: owner.id } }), 400)).toMatchObject({
      code: 'validation_failed',
      detail: 'The credit already belongs to that patient.',
    });
    const moved = json(await t.request('POST', `/api/v1/credits/${goodwill.id}/transfer`, { body: { toPatientId: other.id } }), 201);
    expect(moved).toMatchObject({ patientId: other.id, amountCents: 1800, remainingCents: 1800, source: 'transfer', transferredFromId: goodwill.id, reference: 'GC-7', description: 'Transferred from another account: Goodwill' });
    expect(await entryOf('credit_transferred', moved.id)).toEqual({
      memo: null,
      lines: [
        { account: 'patient_credit', patientId: other.id, amountCents: -1800 },
        { account: 'patient_credit', patientId: owner.id, amountCents: 1800 },
      ],
    });
    expect(await audit('credit.transferred', goodwill.id)).toEqual({
      entityType: 'credit',
      before: { patientId: owner.id, remainingCents: 1800 },
      after: { patientId: other.id, newCreditId: moved.id, amountCents: 1800 },
    });
    expect(await event('credit.transferred', 'fromCreditId', goodwill.id)).toEqual([{ fromCreditId: goodwill.id, toCreditId: moved.id, toPatientId: other.id, amountCents: 1800 }]);
    const movedPlain = json(await t.request('POST', `/api/v1/credits/${plain.id}/transfer`, { body: { toPatientId: other.id } }), 201);
    expect(movedPlain).toMatchObject({ amountCents: 1000, reference: null, description: 'Transferred from another account' });
    // Nothing remains of the first lot.
    expect(json(await t.request('POST', `/api/v1/credits/${goodwill.id}/transfer`, { body: { toPatientId: other.id } }), 422)).toMatchObject({
      code: 'credit_exceeds_available',
      detail: 'Nothing remains of this credit to transfer.',
    });
    expect(await patientAccounts(db, owner.id)).toEqual({ cash_clearing: 0, patient_receivable: 800, patient_unapplied: 0, patient_credit: 0 });
    expect(await patientAccounts(db, other.id)).toEqual({ cash_clearing: 0, patient_receivable: 2000, patient_unapplied: 0, patient_credit: -2800 });
    expect(json(await t.request('GET', `/api/v1/patients/${other.id}/credits`), 200).availableCents).toBe(2800);
    await t.expectLedgerBalances();
  });

  it('C3: credit kept from a dismissed task pays a new visit after its unapplied funds, oldest lot first, never beyond what is open', async () => {
    const db = t.database.handle.db;
    const patient = await makePatient(t);
    const cash = await makePayment(t, patient.id, { amountCents: 4000, method: 'cash', status: 'paid' });
    const keep = (amountCents: number) =>
      refundPayment(db, t.biller.actor, cash.id, { amountCents, reason: 'other', asCredit: true, creditSource: 'task_dismissal' }, { processor: t.processor, publicUrl: '' });
    const older = await keep(1500);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const newer = await keep(1000);
    expect(await patientAccounts(db, patient.id)).toEqual({ cash_clearing: 4000, patient_receivable: 0, patient_unapplied: -1500, patient_credit: -2500 });

    // A $20.00 self-pay visit: the $15.00 unapplied first, then $5.00 of the older kept lot; the newer one is not touched.
    const later = await makeSelfPayTreatment(t, patient.id, 2000, '2026-04-06');
    expect(json(await t.request('GET', `/api/v1/treatments/${later.id}`), 200)).toMatchObject({ patientResponsibilityCents: 2000, balanceCents: 0 });
    const lots = json(await t.request('GET', `/api/v1/patients/${patient.id}/credits`), 200);
    expect(lots.availableCents).toBe(2000);
    expect(lots.items.find((c: any) => c.id === older.creditId)).toMatchObject({
      source: 'task_dismissal',
      amountCents: 1500,
      remainingCents: 1000,
      refundId: older.id,
      description: 'Unapplied funds kept as credit (refund-owed task dismissed)',
    });
    expect(lots.items.find((c: any) => c.id === newer.creditId)).toMatchObject({ source: 'task_dismissal', amountCents: 1000, remainingCents: 1000 });
    const fromCredit = await db.selectFrom('payments').select(['amountCents', 'treatmentId']).where('patientId', '=', patient.id).where('method', '=', 'patient_credit').execute();
    expect(fromCredit.map((p) => [Number(p.amountCents), p.treatmentId])).toEqual([[500, later.id]]);
    expect(await patientAccounts(db, patient.id)).toEqual({ cash_clearing: 4000, patient_receivable: 0, patient_unapplied: 0, patient_credit: -2000 });
    await t.expectLedgerBalances();
  });

  it('C4: credit kept from a dismissed task pays what an 835 leaves the patient, posted set-wise (ADR 0042)', async () => {
    const db = t.database.handle.db;
    const patient = await makePatient(t);
    json(await t.request('PUT', `/api/v1/patients/${patient.id}/coverages`, { body: [{ payerName: 'Payer A', payerId: 'PA001', memberId: 'C4-1', order: 1 }] }), 200);
    const cash = await makePayment(t, patient.id, { amountCents: 1500, method: 'cash', status: 'paid' });
    await refundPayment(db, t.biller.actor, cash.id, { amountCents: 1500, reason: 'other', asCredit: true, creditSource: 'task_dismissal' }, { processor: t.processor, publicUrl: '' });
    expect(await patientAccounts(db, patient.id)).toEqual({ cash_clearing: 1500, patient_receivable: 0, patient_unapplied: 0, patient_credit: -1500 });

    // A $120.00 visit; the payer pays $100.00 and leaves the patient $20.00, of which the kept $15.00 pays at once.
    const location = await makeLocation(t);
    const visit = await makeTreatment(t, patient.id, location.id, { serviceDate: '2026-04-06', lines: [{ cpt: '99213', chargeCents: 12000 }] });
    const claim = json(await t.request('POST', `/api/v1/treatments/${visit.id}/claims`, { as: t.biller }), 201);
    const era = build835([
      {
        payerName: 'Payer A',
        payerId: 'PA001',
        traceNumber: `C4-${dialect}`,
        paymentDate: '2026-04-20',
        claims: [{ controlNumber: claim.controlNumber, status: '1', chargeCents: 12000, paidCents: 10000, patientResponsibilityCents: 2000, adjustments: [{ group: 'PR', reason: '2', amountCents: 2000 }] }],
      },
    ]);
    json(await t.request('POST', '/api/v1/remittances', { as: t.biller, body: era, headers: { 'content-type': 'text/plain' } }), 201);

    expect(json(await t.request('GET', `/api/v1/treatments/${visit.id}`), 200)).toMatchObject({ patientResponsibilityCents: 2000, balanceCents: 500 });
    const fromCredit = await db.selectFrom('payments').select(['amountCents', 'treatmentId']).where('patientId', '=', patient.id).where('method', '=', 'patient_credit').execute();
    expect(fromCredit.map((p) => [Number(p.amountCents), p.treatmentId])).toEqual([[1500, visit.id]]);
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}/credits`), 200).availableCents).toBe(0);
    expect(await patientAccounts(db, patient.id)).toEqual({ cash_clearing: 1500, patient_receivable: 500, patient_unapplied: 0, patient_credit: 0 });
    await t.expectLedgerBalances();
  });

  it('R2: a cash and a check refund each post their journal entry per account with how the money went back, audited and sent as an event', async () => {
    const db = t.database.handle.db;
    const patient = await makePatient(t);
    const cash = await makePayment(t, patient.id, { amountCents: 5000, method: 'cash', status: 'paid' });
    const check = await makePayment(t, patient.id, { amountCents: 2000, method: 'check', checkNumber: '3001', status: 'paid' });
    const byCash = json(await refund(cash.id, { amountCents: 1200, reason: 'billing_error', notes: 'Overcharged at the desk' }), 201);
    const byCheck = json(await refund(check.id, { full: true, reason: 'other' }), 201);
    const entry = async (refundId: string) => {
      const e = await db.selectFrom('journalEntries').select(['id', 'kind', 'memo', 'paymentId']).where('sourceType', '=', 'refund').where('sourceId', '=', refundId).executeTakeFirstOrThrow();
      const lines = await db.selectFrom('journalLines').select(['account', 'amountCents']).where('entryId', '=', e.id).orderBy('amountCents').execute();
      return { kind: e.kind, memo: e.memo, paymentId: e.paymentId, lines: lines.map((l) => [l.account, Number(l.amountCents)]) };
    };
    expect(await entry(byCash.id)).toEqual({ kind: 'refund', memo: 'Refund by cash', paymentId: cash.id, lines: [['cash_clearing', -1200], ['patient_unapplied', 1200]] });
    expect(await entry(byCheck.id)).toEqual({ kind: 'refund', memo: 'Refund by check', paymentId: check.id, lines: [['cash_clearing', -2000], ['patient_unapplied', 2000]] });
    // A card payment recorded by hand (never charged through us) is refunded as recorded, not through the processor.
    const byHand = await makePayment(t, patient.id, { amountCents: 900, method: 'card', status: 'paid' });
    const processorRefunds = t.processor.refundCount;
    const recorded = json(await refund(byHand.id, { full: true, reason: 'other' }), 201);
    expect(recorded).toMatchObject({ method: 'recorded', status: 'succeeded', processorReference: null, amountCents: 900 });
    expect(t.processor.refundCount).toBe(processorRefunds);
    expect(await entry(recorded.id)).toEqual({ kind: 'refund', memo: 'Refund by recorded', paymentId: byHand.id, lines: [['cash_clearing', -900], ['patient_unapplied', 900]] });
    expect(await patientAccounts(db, patient.id)).toEqual({ cash_clearing: 3800, patient_receivable: 0, patient_unapplied: -3800, patient_credit: 0 });

    const [row] = await refundRows(cash.id);
    expect(row).toMatchObject({ id: byCash.id, status: 'succeeded', method: 'cash', amountCents: 1200, notes: 'Overcharged at the desk', creditId: null, processorReference: null, createdBy: t.biller.actor.name });
    expect(row!.settledAt).toEqual(expect.any(String));
    expect(byCash).toMatchObject({ patientId: patient.id, paymentId: cash.id, settledAt: row!.settledAt, failureReason: null, createdBy: t.biller.actor.name });

    const audit = await db.selectFrom('auditEvents').select(['entityType', 'before', 'after']).where('action', '=', 'payment.refunded').where('entityId', '=', cash.id).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.entityType).toBe('payment');
    expect(JSON.parse(audit[0]!.before!)).toEqual({ status: 'paid', refundedCents: 0 });
    expect(JSON.parse(audit[0]!.after!)).toMatchObject({ status: 'partially_refunded', refundedCents: 1200, refund: { id: byCash.id, amountCents: 1200, status: 'succeeded', method: 'cash' } });
    const events = (await db.selectFrom('outboxEvents').select('payload').where('type', '=', 'refund.succeeded').execute()).map((e) => JSON.parse(e.payload));
    expect(events.filter((e) => e.paymentId === check.id)).toEqual([{ refundId: byCheck.id, paymentId: check.id, amountCents: 2000, method: 'check', creditId: null }]);
    await t.expectLedgerBalances();
  });

  it('records cash and check refunds and sets the status from the total refunded', async () => {
    const patient = await makePatient(t);
    const cash = await makePayment(t, patient.id, { amountCents: 3000, method: 'cash', status: 'paid' });
    expect(cash).toMatchObject({ refundableCents: 3000, chargedThroughProcessor: false });
    expect(json(await refund(cash.id, { amountCents: 1000, reason: 'billing_error', notes: 'Overcharged' }), 201)).toMatchObject({ method: 'cash', notes: 'Overcharged', payment: { status: 'partially_refunded', refundedCents: 1000 } });
    expect(json(await refund(cash.id, { amountCents: 1999, reason: 'billing_error' }), 201).payment.status).toBe('partially_refunded');
    const last = json(await refund(cash.id, { full: true, reason: 'other' }), 201);
    expect(last).toMatchObject({ amountCents: 1, payment: { status: 'refunded', refundedCents: 3000, refundableCents: 0 } });
    const check = await makePayment(t, patient.id, { amountCents: 800, method: 'check', checkNumber: '1042', status: 'paid' });
    expect(json(await refund(check.id, { full: true, reason: 'service_not_rendered' }), 201)).toMatchObject({ method: 'check', payment: { status: 'refunded' } });
    const listed = json(await t.request('GET', `/api/v1/payments/${cash.id}/refunds`), 200);
    expect(listed.items.map((r: any) => r.amountCents)).toEqual([1000, 1999, 1]);
    await t.expectLedgerBalances();
  });

  it.each([
    ['a Draft payment', 'draft', { full: true, reason: 'other' }, 422, 'refund_not_allowed'],
    ['a Pending payment', 'pending', { amountCents: 100, reason: 'other' }, 422, 'refund_not_allowed'],
    ['more than remains', 'paid', { amountCents: 5001, reason: 'other' }, 422, 'refund_exceeds_remaining'],
    ['zero', 'paid', { amountCents: 0, reason: 'other' }, 400, 'validation_failed'],
    ['a negative amount', 'paid', { amountCents: -100, reason: 'other' }, 400, 'validation_failed'],
    ['a fraction of a cent', 'paid', { amountCents: 10.5, reason: 'other' }, 400, 'validation_failed'],
    ['an unknown reason', 'paid', { amountCents: 100, reason: 'because' }, 400, 'validation_failed'],
    ['no reason', 'paid', { amountCents: 100 }, 400, 'validation_failed'],
    ['both full and an amount', 'paid', { full: true, amountCents: 100, reason: 'other' }, 400, 'validation_failed'],
  ])('refuses %s with problem+json and writes nothing', async (_name, status, body, httpStatus, code) => {
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id, { amountCents: 5000, status });
    const response = await refund(payment.id, body);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(json(response, httpStatus).code).toBe(code);
    expect(await refundRows(payment.id)).toEqual([]);
    expect(await getPayment(payment.id)).toMatchObject({ status, refundedCents: 0 });
  });

  it('refuses a refund by the front desk', async () => {
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id, { status: 'paid' });
    const response = await t.request('POST', `/api/v1/payments/${payment.id}/refunds`, { as: t.frontDesk, body: { full: true, reason: 'other' } });
    expect(json(response, 403).code).toBe('forbidden');
  });

  it.each([
    ['declines', cards.refundDeclined, 402, 'processor_declined', 'declined'],
    ['times out', cards.refundTimeout, 503, 'processor_unavailable', 'unavailable'],
  ])('leaves the payment exactly as it was when the processor %s, and says why', async (_name, card, status, code, failureKind) => {
    const patient = await makePatient(t);
    const payment = await makeCardPayment(t, patient.id, 4000, card);
    const before = await getPayment(payment.id);
    const response = await refund(payment.id, { amountCents: 1500, reason: 'patient_request' });
    const problem = json(response, status);
    expect(problem.code).toBe(code);
    expect(problem.detail).toContain('The refund was not made');
    const after = await getPayment(payment.id);
    expect(after).toEqual(before);
    const [failed] = await refundRows(payment.id);
    expect(failed).toMatchObject({ status: 'failed', amountCents: 1500, failureKind, failureReason: expect.stringContaining('refund'), idempotencyKey: null, settledAt: expect.any(String) });
    expect(problem.detail).toBe(`The refund was not made: ${failed!.failureReason} The payment is unchanged.`);
    // Only a time-out may have refunded unseen: its processor key is kept for the retry; a declined one's is done with.
    expect(failed!.processorKey).toBe(failureKind === 'unavailable' ? failed!.id : null);
    const audit = await t.database.handle.db.selectFrom('auditEvents').select(['entityType', 'after']).where('action', '=', 'payment.refund_failed').where('entityId', '=', payment.id).execute();
    expect(audit.map((a) => [a.entityType, JSON.parse(a.after!)])).toEqual([['payment', { refundId: failed!.id, amountCents: 1500, reason: failed!.failureReason }]]);
    expect(Number((await t.database.handle.db.selectFrom('payments').select('refundingCents').where('id', '=', payment.id).executeTakeFirstOrThrow()).refundingCents)).toBe(0);
    await t.expectLedgerBalances();
  });

  it('never refunds twice for a retry with the same Idempotency-Key', async () => {
    const patient = await makePatient(t);
    const payment = await makeCardPayment(t, patient.id, 9000);
    const before = t.processor.refundCount;
    const headers = { 'idempotency-key': `refund-${payment.id}` };
    const first = json(await refund(payment.id, { amountCents: 2500, reason: 'patient_request' }, headers), 201);
    const retry = json(await refund(payment.id, { amountCents: 2500, reason: 'patient_request' }, headers), 201);
    expect(retry).toEqual(first);
    expect(t.processor.refundCount).toBe(before + 1);
    // The processor sees the client's key, scoped to the practice and the request.
    const [made] = await refundRows(payment.id);
    expect(made!.processorKey).toMatch(new RegExp(`^${t.biller.actor.practiceId}:refund-${payment.id}:[0-9a-f]{16}$`));
    expect(made!.idempotencyKey).toBe(`refund-${payment.id}`);
    expect((await getPayment(payment.id)).refundedCents).toBe(2500);
    const other = await refund(payment.id, { amountCents: 100, reason: 'patient_request' }, headers);
    expect(json(other, 409).code).toBe('idempotency_key_reused');
  });

  it('never lets racing refunds together exceed the payment', async () => {
    const patient = await makePatient(t);
    const card = await makeCardPayment(t, patient.id, 10000);
    const cash = await makePayment(t, patient.id, { amountCents: 10000, status: 'paid' });
    for (const payment of [card, cash]) {
      const responses = await Promise.all(
        Array.from({ length: 12 }, () => refund(payment.id, { amountCents: 3000, reason: 'duplicate_charge' })),
      );
      const ok = responses.filter((r) => r.statusCode === 201);
      expect(ok).toHaveLength(3);
      for (const r of responses.filter((r) => r.statusCode !== 201)) expect(r.json().code).toBe('refund_exceeds_remaining');
      expect(await getPayment(payment.id)).toMatchObject({ refundedCents: 9000, status: 'partially_refunded' });
    }
    await t.expectLedgerBalances();
  });

  it('lets only an admin transfer a credit, within the practice, audited', async () => {
    const from = await makePatient(t);
    const to = await makePatient(t);
    const stranger = await makePatient(t, t.otherAdmin);
    const credit = json(await t.request('POST', `/api/v1/patients/${from.id}/credits`, { as: t.biller, body: { amountCents: 4000 } }), 201);
    expect(json(await t.request('POST', `/api/v1/credits/${credit.id}/transfer`, { as: t.biller, body: { toPatientId: to.id } }), 403).code).toBe('forbidden');
    expect(json(await t.request('POST', `/api/v1/credits/${credit.id}/transfer`, { body: { toPatientId: stranger.id } }), 404).code).toBe('not_found');
    const moved = json(await t.request('POST', `/api/v1/credits/${credit.id}/transfer`, { body: { toPatientId: to.id } }), 201);
    expect(moved).toMatchObject({ patientId: to.id, amountCents: 4000, remainingCents: 4000, source: 'transfer', transferredFromId: credit.id });
    expect(json(await t.request('GET', `/api/v1/patients/${from.id}/credits`), 200).availableCents).toBe(0);
    expect(json(await t.request('GET', `/api/v1/patients/${to.id}/credits`), 200).availableCents).toBe(4000);
    const audit = await t.database.handle.db.selectFrom('auditEvents').selectAll().where('action', '=', 'credit.transferred').where('entityId', '=', credit.id).executeTakeFirstOrThrow();
    expect(audit.actorId).toBe(t.admin.actor.id);
    expect(JSON.parse(audit.after!)).toMatchObject({ patientId: to.id, amountCents: 4000 });
    await t.expectLedgerBalances();
  });

  it('charges through the processor: Paid with the charge reference, or Failed on a declined card', async () => {
    const patient = await makePatient(t);
    const ok = await makeCardPayment(t, patient.id, 2500);
    expect(ok).toMatchObject({ status: 'paid', method: 'card', failure: null });
    const declined = await makeCardPayment(t, patient.id, 2500, cards.declined);
    expect(declined).toMatchObject({ status: 'failed', failure: 'The card was declined.' });
    const headers = { 'idempotency-key': `charge-${declined.id}` };
    const retried = json(await t.request('POST', `/api/v1/payments/${declined.id}/charge`, { body: { source: cards.ok }, headers }), 200);
    expect(retried.status).toBe('paid');
    // The same request again answers the same, and charges nothing more.
    expect(json(await t.request('POST', `/api/v1/payments/${declined.id}/charge`, { body: { source: cards.ok }, headers }), 200)).toEqual(retried);
    const received = await t.database.handle.db.selectFrom('journalEntries').select('id').where('paymentId', '=', declined.id).where('kind', '=', 'payment_received').execute();
    expect(received).toHaveLength(1);
    await t.expectLedgerBalances();
  });

  it('numbers each charge attempt of a payment for the processor, and audits and announces each outcome', async () => {
    const db = t.database.handle.db;
    const patient = await makePatient(t);
    const declined = await makeCardPayment(t, patient.id, 2600, cards.declined);
    expect(declined).toMatchObject({ status: 'failed', failure: 'The card was declined.' });
    const paid = json(await t.request('POST', `/api/v1/payments/${declined.id}/charge`, { body: { source: cards.ok } }), 200);
    expect(paid).toMatchObject({ status: 'paid', method: 'card', failure: null });
    const row = await db.selectFrom('payments').select(['cardLast4', 'processorReference', 'chargeAttempt', 'paidDate']).where('id', '=', declined.id).executeTakeFirstOrThrow();
    // The second attempt's own key: the sandbox's reference is a hash of it.
    expect(row).toMatchObject({ cardLast4: '4242', processorReference: expect.stringMatching(/^sbx_ch_ok_/), chargeAttempt: null, paidDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    const audit = await db.selectFrom('auditEvents').select(['action', 'entityType', 'before', 'after']).where('entityId', '=', declined.id).where('action', 'like', 'payment.charge%').execute();
    // Rows of one millisecond list in either order: the contents say which attempt each is.
    expect(audit).toHaveLength(4);
    expect(audit.map((a) => [a.action, a.entityType, JSON.parse(a.before!), JSON.parse(a.after!)])).toEqual(expect.arrayContaining([
      ['payment.charge_started', 'payment', { status: 'pending' }, { status: 'processing', chargeAttempt: `${declined.id}:1` }],
      ['payment.charge_failed', 'payment', { status: 'processing' }, { status: 'failed', reason: 'The card was declined.' }],
      ['payment.charge_started', 'payment', { status: 'failed' }, { status: 'processing', chargeAttempt: `${declined.id}:2` }],
      ['payment.charged', 'payment', { status: 'processing' }, { status: 'paid', processorReference: row.processorReference }],
    ]));
    const events = (await db.selectFrom('outboxEvents').select(['type', 'payload']).where('type', 'in', ['payment.failed', 'payment.paid']).execute())
      .map((e) => [e.type, JSON.parse(e.payload)])
      .filter(([, p]) => p.paymentId === declined.id);
    expect(events).toHaveLength(2);
    expect(events).toEqual(expect.arrayContaining([
      ['payment.failed', { paymentId: declined.id, reason: 'The card was declined.' }],
      ['payment.paid', { paymentId: declined.id, amountCents: 2600 }],
    ]));
    expect(await patientAccounts(db, patient.id)).toEqual({ cash_clearing: 2600, patient_receivable: 0, patient_unapplied: -2600, patient_credit: 0 });
    // Paid now: charging it again is refused, naming its status.
    expect(json(await t.request('POST', `/api/v1/payments/${declined.id}/charge`, { body: { source: cards.ok } }), 422)).toMatchObject({
      code: 'invalid_status_change',
      detail: 'A Paid payment cannot be charged; only Pending or Failed ones.',
      details: { from: 'paid' },
    });
    await t.expectLedgerBalances();
  });
});
