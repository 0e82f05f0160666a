import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { build835 } from '../src/x12/build-835.ts';
import { makeLocation, makePatient, makePayment } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp, type TestApp } from './helpers/test-app.ts';

const fixtures = process.env.X12_FIXTURES_DIR ?? path.resolve(process.cwd(), '../shared/fixtures/x12');

async function insuredPatient(t: TestApp, payers: Array<{ payerName: string; payerId: string }>) {
  const patient = await makePatient(t);
  json(
    await t.request('PUT', `/api/v1/patients/${patient.id}/coverages`, {
      body: payers.map((p, i) => ({ ...p, memberId: `M${i}${patient.id.slice(-6)}`, order: i + 1 })),
    }),
    200,
  );
  return patient;
}

async function visit(t: TestApp, patientId: string, locationId: string, serviceDate: string, chargeCents: number) {
  const treatment = json(
    await t.request('POST', '/api/v1/treatments', { body: { patientId, locationId, serviceDate, physician: 'Dr. Osei', lines: [{ cpt: '99213', chargeCents }] } }),
    201,
  );
  const claim = json(await t.request('POST', `/api/v1/treatments/${treatment.id}/claims`, { as: t.biller }), 201);
  return { treatment, claim };
}

function importEra(t: TestApp, text: string, query = '') {
  return t.request('POST', `/api/v1/remittances${query}`, { as: t.biller, body: text, headers: { 'content-type': 'text/plain' } });
}

/** A treatment's remittance journal lines summed per account (zero sums left out). */
async function remittanceAccounts(t: TestApp, treatmentId: string) {
  const rows = await t.database.handle.db
    .selectFrom('journalLines as l')
    .innerJoin('journalEntries as e', 'e.id', 'l.entryId')
    .where('e.kind', '=', 'remittance')
    .where('l.treatmentId', '=', treatmentId)
    .select(['l.account', (eb) => eb.fn.sum<number>('l.amountCents').as('total')])
    .groupBy('l.account')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.account, Number(r.total)]).filter(([, v]) => v !== 0));
}

/** The remittance journal lines not on any treatment (suspense, PLB), per account, for entries whose memo mentions `memoPart`. */
async function unplacedAccounts(t: TestApp, memoPart: string) {
  const rows = await t.database.handle.db
    .selectFrom('journalLines as l')
    .innerJoin('journalEntries as e', 'e.id', 'l.entryId')
    .where('e.kind', 'in', ['remittance', 'payer_balance'])
    .where('l.treatmentId', 'is', null)
    .where('e.memo', 'like', `%${memoPart}%`)
    .select(['l.account', (eb) => eb.fn.sum<number>('l.amountCents').as('total')])
    .groupBy('l.account')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.account, Number(r.total)]).filter(([, v]) => v !== 0));
}

const A = { payerName: 'ACME HEALTH', payerId: '11111' };
const B = { payerName: 'BETA MUTUAL', payerId: '22222' };

describe.each(dialects)('835 remittance posting on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('U1: coordination of benefits, held copay applied to this visit then the oldest, the rest left unapplied', async () => {
    const location = await makeLocation(t);
    const patient = await insuredPatient(t, [A, B]);
    const older = await visit(t, patient.id, location.id, '2026-01-10', 10000);
    const current = await visit(t, patient.id, location.id, '2026-03-02', 15000);
    expect(current.claim).toMatchObject({ coverageOrder: 1, payerName: A.payerName, status: 'submitted', billedCents: 15000 });
    expect(current.claim.controlNumber).toMatch(/^PL[0-9A-Z]{10}$/);

    // The copay collected at the visit is held for it while the payers work.
    const copay = await makePayment(t, patient.id, { amountCents: 4000, method: 'cash', status: 'paid', treatmentId: current.treatment.id, type: 'office_visit', paidDate: '2026-03-02' });
    expect(copay.billing).toMatchObject({ appliedCents: 0, unappliedCents: 4000 });

    const eraA = build835([
      {
        ...A,
        traceNumber: 'A-EFT-0001',
        paymentDate: '2026-03-20',
        claims: [
          { controlNumber: older.claim.controlNumber, status: '19', chargeCents: 10000, paidCents: 7000, patientResponsibilityCents: 1000, adjustments: [{ group: 'CO', reason: '45', amountCents: 2000 }, { group: 'PR', reason: '2', amountCents: 1000 }] },
          { controlNumber: current.claim.controlNumber, status: '19', chargeCents: 15000, paidCents: 8000, patientResponsibilityCents: 4000, adjustments: [{ group: 'CO', reason: '45', amountCents: 3000 }, { group: 'PR', reason: '2', amountCents: 4000 }] },
        ],
      },
    ]);
    const importA = json(await importEra(t, eraA), 201);
    expect(importA).toMatchObject({ claimCount: 2, postedCount: 2, exceptions: [], duplicate: false });
    expect(importA.claims[1]).toMatchObject({ outcome: 'posted', paidCents: 8000, contractualCents: 3000, patientResponsibilityCents: 4000, forwardedCents: 4000, toPatientCents: 0 });
    const afterA = json(await t.request('GET', `/api/v1/treatments/${current.treatment.id}`), 200);
    expect(afterA.claims.map((c: any) => [c.coverageOrder, c.payerName, c.status, c.billedCents])).toEqual([
      [1, A.payerName, 'processed', 15000],
      [2, B.payerName, 'submitted', 4000],
    ]);
    expect(afterA).toMatchObject({ patientResponsibilityCents: 0, insuranceStatus: 'awaiting' });
    await t.expectLedgerBalances();

    const olderB = afterA.claims && json(await t.request('GET', `/api/v1/treatments/${older.treatment.id}`), 200).claims[1];
    const eraB = build835([
      {
        ...B,
        traceNumber: 'B-CHK-0002',
        paymentDate: '2026-04-01',
        claims: [
          { controlNumber: afterA.claims[1].controlNumber, status: '2', chargeCents: 4000, paidCents: 2500, patientResponsibilityCents: 1500, adjustments: [{ group: 'PR', reason: '1', amountCents: 1500 }] },
          { controlNumber: olderB.controlNumber, status: '2', chargeCents: 1000, paidCents: 0, patientResponsibilityCents: 1000, adjustments: [{ group: 'PR', reason: '1', amountCents: 1000 }] },
        ],
      },
    ]);
    expect(json(await importEra(t, eraB), 201)).toMatchObject({ postedCount: 2, exceptions: [] });

    const currentAfter = json(await t.request('GET', `/api/v1/treatments/${current.treatment.id}`), 200);
    expect(currentAfter).toMatchObject({ patientResponsibilityCents: 1500, balanceCents: 0, insuranceStatus: 'settled' });
    const olderAfter = json(await t.request('GET', `/api/v1/treatments/${older.treatment.id}`), 200);
    expect(olderAfter).toMatchObject({ patientResponsibilityCents: 1000, balanceCents: 0 });
    const copayAfter = json(await t.request('GET', `/api/v1/payments/${copay.id}`), 200);
    expect(copayAfter.billing).toMatchObject({ netAmountCents: 4000, appliedCents: 2500, unappliedCents: 1500, overApplied: false });
    const applications = json(await t.request('GET', `/api/v1/payments/${copay.id}/applications`), 200).items;
    expect(applications.map((a: any) => [a.treatmentId, a.amountCents])).toEqual([
      [current.treatment.id, 1500],
      [older.treatment.id, 1000],
    ]);
    const balance = json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).balance;
    expect(balance).toEqual({ patientResponsibilityCents: 0, unappliedCents: 1500, creditCents: 0 });
    await t.expectLedgerBalances();

    // The same file again posts nothing.
    const again = json(await importEra(t, eraB), 200);
    expect(again).toMatchObject({ duplicate: true, postedCount: 0 });
    expect(json(await t.request('GET', `/api/v1/payments/${copay.id}`), 200).billing.appliedCents).toBe(2500);
    await t.expectLedgerBalances();
  });

  it('sends unmatched claims and not-our-claim answers to exceptions, posts PLB, and warns when BPR02 does not balance', async () => {
    const location = await makeLocation(t);
    const patient = await insuredPatient(t, [A]);
    const { treatment, claim } = await visit(t, patient.id, location.id, '2026-02-01', 20000);
    const era = build835([
      {
        ...A,
        traceNumber: 'A-EFT-PLB',
        paymentDate: '2026-02-20',
        paymentCents: 9999,
        claims: [
          { controlNumber: claim.controlNumber, status: '1', chargeCents: 20000, paidCents: 15000, patientResponsibilityCents: 2000, adjustments: [{ group: 'CO', reason: '45', amountCents: 3000 }, { group: 'PR', reason: '3', amountCents: 2000 }] },
          { controlNumber: 'SOMEONE-ELSE-1', status: '1', chargeCents: 5000, paidCents: 5000 },
          { controlNumber: claim.controlNumber, status: '23', chargeCents: 20000, paidCents: 0, adjustments: [{ group: 'OA', reason: '109', amountCents: 20000 }] },
        ],
        plb: [{ reason: 'WO', reference: 'OVERPAY1', amountCents: 1200 }],
      },
    ]);
    const result = json(await importEra(t, era), 201);
    expect(result.claimCount).toBe(3);
    expect(result.postedCount).toBe(1);
    expect(result.exceptions.map((e: any) => [e.patientControlNumber, e.statusCode])).toEqual([
      ['SOMEONE-ELSE-1', '1'],
      [claim.controlNumber, '23'],
    ]);
    expect(result.payments[0]).toMatchObject({ paymentCents: 9999, providerAdjustmentCents: 1200, balanced: false, status: 'posted' });
    expect(result.warnings.map((w: any) => w.code)).toContain('payment_does_not_balance');
    expect(json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200)).toMatchObject({ patientResponsibilityCents: 2000, balanceCents: 2000, insuranceStatus: 'settled' });
    const stored = json(await t.request('GET', `/api/v1/remittances/${result.id}`), 200);
    expect(stored).toMatchObject({ claimCount: 3, postedCount: 1 });
    expect(stored.exceptions).toHaveLength(2);
    const listed = json(await t.request('GET', '/api/v1/remittances'), 200);
    expect(listed.items.map((r: any) => r.id)).toContain(result.id);
    // The posted claim: cash, write-off and the patient's share; nothing on provider_adjustment or suspense.
    expect(await remittanceAccounts(t, treatment.id)).toEqual({ cash_clearing: 15000, contractual_writeoff: 3000, patient_receivable: 2000, insurance_receivable: -20000 });
    // The unmatched claim's $50.00 waits in suspense; only the PLB reaches provider_adjustment.
    expect(await unplacedAccounts(t, 'SOMEONE-ELSE-1')).toEqual({ cash_clearing: 5000, remittance_suspense: -5000 });
    // WO (overpayment recovery) is the payer's money: payer_overpayment, not a provider adjustment.
    expect(await unplacedAccounts(t, 'PLB WO OVERPAY1')).toEqual({ cash_clearing: -1200, payer_overpayment: 1200 });
    expect(result.exceptions.map((e: any) => e.reasonCode)).toEqual(['no_claim', 'not_ours']);
    expect(result.warnings.find((w: any) => w.code === 'payment_does_not_balance').message).toBe(
      'Payment A-EFT-PLB does not balance by -$88.01: BPR02 $99.99 ≠ claims paid $200.00 − provider adjustments $12.00.',
    );
    await t.expectLedgerBalances();
  });

  it('each claim that cannot post says why in words and holds its money in suspense; a second payment of a posted claim is held too', async () => {
    const location = await makeLocation(t);
    const patient = await insuredPatient(t, [A]);
    const posted = await visit(t, patient.id, location.id, '2026-02-01', 20000);
    const unpaid = await visit(t, patient.id, location.id, '2026-02-02', 10000);
    const c = posted.claim.controlNumber;
    const paidClaim = { controlNumber: c, status: '1', chargeCents: 20000, paidCents: 15000, patientResponsibilityCents: 2000, adjustments: [{ group: 'CO', reason: '45', amountCents: 3000 }, { group: 'PR', reason: '3', amountCents: 2000 }] };
    const denial = { controlNumber: unpaid.claim.controlNumber, status: '4', chargeCents: 10000, paidCents: 0, adjustments: [{ group: 'CO', reason: '50', amountCents: 10000 }] };
    const first = json(
      await importEra(t, build835([
        {
          ...A,
          traceNumber: 'A-EFT-WHY-1',
          paymentDate: '2026-02-20',
          claims: [
            { controlNumber: 'NOT-OURS-9', status: '1', chargeCents: 5000, paidCents: 4000, adjustments: [{ group: 'CO', reason: '45', amountCents: 1000 }] },
            { controlNumber: c, status: '25', chargeCents: 20000, paidCents: 0, adjustments: [{ group: 'CO', reason: '45', amountCents: 20000 }] },
            { controlNumber: unpaid.claim.controlNumber, status: '22', chargeCents: -10000, paidCents: 0, adjustments: [{ group: 'CO', reason: '45', amountCents: -10000 }] },
            paidClaim,
            denial,
          ],
        },
      ])),
      201,
    );
    expect(first.postedCount).toBe(2);
    expect(first.claims.filter((x: any) => x.reasonCode === null).map((x: any) => [x.outcome, x.message])).toEqual([
      ['posted', null],
      ['denied', 'Denied by the payer: review the claim.'],
    ]);
    expect(first.exceptions.map((e: any) => [e.patientControlNumber, e.reasonCode, e.claimId, e.message])).toEqual([
      ['NOT-OURS-9', 'no_claim', null, 'No claim of ours has control number NOT-OURS-9.'],
      [c, 'status_not_posted', posted.claim.id, 'Claim status 25 is not one we post; review it by hand.'],
      [unpaid.claim.controlNumber, 'reversal_without_posting', unpaid.claim.id, `A reversal of claim ${unpaid.claim.controlNumber}, which has no payment posted to reverse.`],
    ]);
    // Only the unmatched claim's $40.00 carried money: it waits in suspense.
    expect(await unplacedAccounts(t, 'exception NOT-OURS-9')).toEqual({ cash_clearing: 4000, remittance_suspense: -4000 });
    const held = await t.database.handle.db.selectFrom('remittanceClaims').select(['patientControlNumber', 'suspenseCents', 'exceptionStatus', 'outcome', 'postingClaimId']).where('remittanceId', '=', first.id).orderBy('segmentNumber').execute();
    expect(held.map((r) => [r.patientControlNumber, Number(r.suspenseCents), r.exceptionStatus, r.outcome, r.postingClaimId])).toEqual([
      ['NOT-OURS-9', 4000, 'open', 'exception', null],
      [c, 0, 'open', 'exception', null],
      [unpaid.claim.controlNumber, 0, 'open', 'exception', null],
      [c, 0, null, 'posted', posted.claim.id],
      [unpaid.claim.controlNumber, 0, null, 'denied', unpaid.claim.id],
    ]);
    const memos = await t.database.handle.db.selectFrom('journalEntries').select('memo').where('kind', '=', 'remittance').where('memo', 'like', '835 %').execute();
    expect(memos.map((m) => m.memo)).toEqual(expect.arrayContaining([`835 ACME HEALTH claim ${c} status 1`, '835 exception NOT-OURS-9: held in suspense']));
    const db = t.database.handle.db;
    const audited = await db.selectFrom('auditEvents').select(['action', 'entityType', 'before', 'after']).where('entityId', '=', posted.treatment.id).where('action', 'in', ['claim.processed', 'claim.denied']).execute();
    expect(audited.map((a) => [a.action, a.entityType, JSON.parse(a.before!), JSON.parse(a.after!)])).toEqual([
      [
        'claim.processed',
        'treatment',
        { claimId: posted.claim.id, status: 'submitted' },
        { claimId: posted.claim.id, statusCode: '1', paidCents: 15000, contractualCents: 3000, patientResponsibilityCents: 2000, forwardedCents: 0, toPatientCents: 2000, nextClaimId: null, remarkCodes: [] },
      ],
    ]);
    const events = (await db.selectFrom('outboxEvents').select(['type', 'payload']).where('type', 'in', ['claim.processed', 'claim.denied']).execute())
      .map((e) => [e.type, JSON.parse(e.payload)])
      .filter(([, p]) => p.treatmentId === posted.treatment.id || p.treatmentId === unpaid.treatment.id);
    expect(events).toHaveLength(2);
    expect(events).toEqual(
      expect.arrayContaining([
        ['claim.processed', { claimId: posted.claim.id, treatmentId: posted.treatment.id, paidCents: 15000, patientResponsibilityCents: 2000 }],
        ['claim.denied', { claimId: unpaid.claim.id, treatmentId: unpaid.treatment.id, paidCents: 0, patientResponsibilityCents: 0 }],
      ]),
    );
    expect(await remittanceAccounts(t, posted.treatment.id)).toEqual({ cash_clearing: 15000, contractual_writeoff: 3000, patient_receivable: 2000, insurance_receivable: -20000 });

    // Another payment (another trace) pays the same claim again, and another changes it without a reversal.
    const importedOn = (await t.database.handle.db.selectFrom('remittances').select('createdAt').where('id', '=', first.id).executeTakeFirstOrThrow()).createdAt.slice(0, 10);
    const second = json(
      await importEra(t, build835([
        { ...A, traceNumber: 'A-EFT-WHY-2', paymentDate: '2026-02-27', claims: [paidClaim, denial] },
        { ...A, traceNumber: 'A-EFT-WHY-3', paymentDate: '2026-02-27', claims: [{ ...paidClaim, paidCents: 14000, adjustments: [{ group: 'CO', reason: '45', amountCents: 4000 }, { group: 'PR', reason: '3', amountCents: 2000 }] }] },
      ])),
      201,
    );
    expect(second.postedCount).toBe(0);
    expect(second.exceptions.map((e: any) => [e.reasonCode, e.message, e.duplicateOf?.remittanceId ?? null])).toEqual([
      ['already_posted', `Claim ${c} was already posted by import ${first.id} of ${importedOn}; this payment pays it again, so its $150.00 is held in suspense.`, first.id],
      ['already_processed', `Claim ${c} is already processed; a corrected payment must follow a reversal (status 22).`, null],
    ]);
    // The same denial again carries no money: a duplicate of the first import.
    expect(second.duplicates.map((d: any) => [d.patientControlNumber, d.outcome, d.reasonCode, d.message, d.duplicateOf.remittanceId])).toEqual([
      [unpaid.claim.controlNumber, 'duplicate', 'already_posted', `Already posted by import ${first.id} of ${importedOn}.`, first.id],
    ]);
    const duplicateRow = await t.database.handle.db.selectFrom('remittanceClaims').select(['duplicateOfRemittanceId', 'message']).where('remittanceId', '=', second.id).where('outcome', '=', 'duplicate').executeTakeFirstOrThrow();
    expect(duplicateRow).toEqual({ duplicateOfRemittanceId: first.id, message: `Already posted by import ${first.id} of ${importedOn}.` });
    expect(await unplacedAccounts(t, `exception ${c}`)).toEqual({ cash_clearing: 29000, remittance_suspense: -29000 });
    // The visit's own accounts did not move.
    expect(await remittanceAccounts(t, posted.treatment.id)).toEqual({ cash_clearing: 15000, contractual_writeoff: 3000, patient_receivable: 2000, insurance_receivable: -20000 });
    await t.expectLedgerBalances();
  });

  it('reverses a posting (status 22) and posts the corrected payment again', async () => {
    const location = await makeLocation(t);
    const patient = await insuredPatient(t, [A]);
    const { treatment, claim } = await visit(t, patient.id, location.id, '2026-02-02', 12000);
    const paid = await makePayment(t, patient.id, { amountCents: 3000, status: 'paid', treatmentId: treatment.id });
    const first = build835([{ ...A, traceNumber: 'R-1', paymentDate: '2026-02-10', claims: [{ controlNumber: claim.controlNumber, status: '1', chargeCents: 12000, paidCents: 7000, patientResponsibilityCents: 2500, adjustments: [{ group: 'CO', reason: '45', amountCents: 2500 }, { group: 'PR', reason: '2', amountCents: 2500 }] }] }]);
    json(await importEra(t, first), 201);
    expect(json(await t.request('GET', `/api/v1/payments/${paid.id}`), 200).billing.appliedCents).toBe(2500);

    const correction = build835([
      {
        ...A,
        traceNumber: 'R-2',
        paymentDate: '2026-02-24',
        claims: [
          { controlNumber: claim.controlNumber, status: '22', chargeCents: -12000, paidCents: -7000, patientResponsibilityCents: -2500, adjustments: [{ group: 'CO', reason: '45', amountCents: -2500 }, { group: 'PR', reason: '2', amountCents: -2500 }] },
          { controlNumber: claim.controlNumber, status: '1', chargeCents: 12000, paidCents: 8000, patientResponsibilityCents: 1500, adjustments: [{ group: 'CO', reason: '45', amountCents: 2500 }, { group: 'PR', reason: '2', amountCents: 1500 }] },
        ],
      },
    ]);
    expect(await remittanceAccounts(t, treatment.id)).toEqual({ cash_clearing: 7000, contractual_writeoff: 2500, patient_receivable: 2500, insurance_receivable: -12000 });
    const result = json(await importEra(t, correction), 201);
    expect(result.claims.map((c: any) => c.outcome)).toEqual(['reversal', 'posted']);
    // The reversal took the payer's $70.00 back out of cash and the corrected payment put $80.00 in: net $80.00, not $150.00.
    const reversalEntry = await t.database.handle.db
      .selectFrom('journalLines as l')
      .innerJoin('journalEntries as e', 'e.id', 'l.entryId')
      .where('e.memo', '=', `835 reversal of claim ${claim.controlNumber}`)
      .select(['l.account', 'l.amountCents'])
      .orderBy('l.account')
      .execute();
    expect(reversalEntry.map((l) => [l.account, Number(l.amountCents)])).toEqual([
      ['cash_clearing', -7000],
      ['contractual_writeoff', -2500],
      ['insurance_receivable', 12000],
      ['patient_receivable', -2500],
    ]);
    expect(await remittanceAccounts(t, treatment.id)).toEqual({ cash_clearing: 8000, contractual_writeoff: 2500, patient_receivable: 1500, insurance_receivable: -12000 });
    expect(result.claims[0]).toMatchObject({ paidCents: -7000, toPatientCents: -2500 });
    // What the reversal row keeps is the undo: every amount of the posting negated.
    const reversalRow = await t.database.handle.db.selectFrom('remittanceClaims').select('detail').where('remittanceId', '=', result.id).where('outcome', '=', 'reversal').executeTakeFirstOrThrow();
    expect(JSON.parse(reversalRow.detail)).toMatchObject({ paidCents: -7000, contractualCents: -2500, patientResponsibilityCents: -2500, toPatientCents: -2500, nextClaimId: null });
    const after = json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200);
    expect(after).toMatchObject({ patientResponsibilityCents: 1500, balanceCents: 0 });
    expect(after.claims[0]).toMatchObject({ status: 'processed', paidCents: 8000 });
    expect(json(await t.request('GET', `/api/v1/payments/${paid.id}`), 200).billing).toMatchObject({ appliedCents: 1500, unappliedCents: 1500 });
    await t.expectLedgerBalances();
  });

  it('a reversal that does not take back what is posted (the original amount after a correction) is an exception in suspense; the posting stands and cash matches BPR02', async () => {
    const location = await makeLocation(t);
    const patient = await insuredPatient(t, [A]);
    const { treatment, claim } = await visit(t, patient.id, location.id, '2026-02-04', 12000);
    const paid = (cents: number, status = '1') => ({ controlNumber: claim.controlNumber, status, chargeCents: status === '22' ? -12000 : 12000, paidCents: cents, adjustments: [{ group: 'CO', reason: '45', amountCents: status === '22' ? -(12000 + cents) : 12000 - cents }] });
    json(await importEra(t, build835([{ ...A, traceNumber: 'M-1', paymentDate: '2026-02-10', claims: [paid(4000)] }])), 201);
    const corrected = json(await importEra(t, build835([{ ...A, traceNumber: 'M-2', paymentDate: '2026-02-17', claims: [paid(-4000, '22'), paid(9000)] }])), 201);
    expect(corrected.claims.map((c: any) => c.outcome)).toEqual(['reversal', 'posted']);
    const before = await remittanceAccounts(t, treatment.id);
    expect(before).toMatchObject({ cash_clearing: 9000, insurance_receivable: -12000 });

    // The payer reverses the original $40.00 again, not the $90.00 now posted.
    const stale = json(await importEra(t, build835([{ ...A, traceNumber: 'M-3', paymentDate: '2026-02-24', claims: [paid(-4000, '22')] }])), 201);
    expect(stale.claims[0]).toMatchObject({ outcome: 'exception', reasonCode: 'reversal_mismatch', paidCents: -4000 });
    expect(stale.claims[0].message).toContain('$90.00');
    // The posting stands; the $40.00 the payer took back left cash for suspense, where a biller resolves it.
    expect(await remittanceAccounts(t, treatment.id)).toEqual(before);
    const suspense = await t.database.handle.db
      .selectFrom('journalLines as l')
      .innerJoin('journalEntries as e', 'e.id', 'l.entryId')
      .where('e.memo', 'like', `835 exception ${claim.controlNumber}%`)
      .select(['l.account', 'l.amountCents'])
      .orderBy('l.account')
      .execute();
    expect(suspense.map((l) => [l.account, Number(l.amountCents)])).toEqual([
      ['cash_clearing', -4000],
      ['remittance_suspense', 4000],
    ]);
    expect(json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200).claims[0]).toMatchObject({ status: 'processed', paidCents: 9000 });
    await t.expectLedgerBalances();

    // The reversal of what is posted still undoes it.
    const right = json(await importEra(t, build835([{ ...A, traceNumber: 'M-4', paymentDate: '2026-03-03', claims: [paid(-9000, '22')] }])), 201);
    expect(right.claims[0]).toMatchObject({ outcome: 'reversal', paidCents: -9000 });
    expect(json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200).claims[0]).toMatchObject({ status: 'submitted', paidCents: 0 });
    await t.expectLedgerBalances();
  });

  it('previews an import without posting anything', async () => {
    const location = await makeLocation(t);
    const patient = await insuredPatient(t, [A]);
    const { treatment, claim } = await visit(t, patient.id, location.id, '2026-02-03', 9000);
    const era = build835([{ ...A, traceNumber: 'P-1', paymentDate: '2026-02-11', claims: [{ controlNumber: claim.controlNumber, status: '1', chargeCents: 9000, paidCents: 9000 }] }]);
    const preview = json(await importEra(t, era, '?preview=true'), 200);
    expect(preview).toMatchObject({ postedCount: 1, exceptions: [] });
    expect(json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200).claims[0].status).toBe('submitted');
    expect(json(await t.request('GET', '/api/v1/remittances'), 200).items.map((r: any) => r.id)).not.toContain(preview.id);
    expect(json(await importEra(t, era), 201).postedCount).toBe(1);
  });

  it('refuses an import by the front desk and an empty body', async () => {
    expect((await t.request('POST', '/api/v1/remittances', { as: t.frontDesk, body: 'ISA*', headers: { 'content-type': 'text/plain' } })).statusCode).toBe(403);
    const empty = await t.request('POST', '/api/v1/remittances', { as: t.biller, body: '', headers: { 'content-type': 'text/plain' } });
    expect(empty.statusCode).toBe(422);
    expect(empty.headers['content-type']).toContain('application/problem+json');
    expect(empty.json()).toMatchObject({ code: 'file_unreadable', detail: 'The file is empty.' });
  });
});

describe.each(dialects)('835 statuses and the CLI on %s', (dialect) => {
  const t = useTestApp(dialect);
  const C = { payerName: 'GAMMA CARE', payerId: '33333' };

  it('posts a tertiary (21 then 3) chain and leaves a denial (4) for review, holding exception money in suspense', async () => {
    const location = await makeLocation(t);
    const patient = await insuredPatient(t, [A, B, C]);
    const { treatment, claim } = await visit(t, patient.id, location.id, '2026-05-05', 10000);
    json(await importEra(t, build835([{ ...A, traceNumber: 'T-1', paymentDate: '2026-05-20', claims: [{ controlNumber: claim.controlNumber, status: '19', chargeCents: 10000, paidCents: 6000, adjustments: [{ group: 'CO', reason: '45', amountCents: 2000 }, { group: 'PR', reason: '2', amountCents: 2000 }] }] }])), 201);
    const second = json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200).claims[1];
    json(await importEra(t, build835([{ ...B, traceNumber: 'T-2', paymentDate: '2026-06-01', claims: [{ controlNumber: second.controlNumber, status: '20', chargeCents: 2000, paidCents: 1200, adjustments: [{ group: 'PR', reason: '2', amountCents: 800 }] }] }])), 201);
    const third = json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200).claims[2];
    expect(third).toMatchObject({ coverageOrder: 3, payerName: C.payerName, billedCents: 800, status: 'submitted' });
    const last = json(await importEra(t, build835([{ ...C, traceNumber: 'T-3', paymentDate: '2026-06-10', claims: [{ controlNumber: third.controlNumber, status: '3', chargeCents: 800, paidCents: 500, adjustments: [{ group: 'PR', reason: '1', amountCents: 300 }] }] }])), 201);
    expect(last.claims[0]).toMatchObject({ outcome: 'posted', toPatientCents: 300, forwardedCents: 0 });
    expect(json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200)).toMatchObject({ patientResponsibilityCents: 300, insuranceStatus: 'settled' });

    const denied = await visit(t, patient.id, location.id, '2026-05-06', 7000);
    const result = json(await importEra(t, build835([{ ...A, traceNumber: 'T-4', paymentDate: '2026-05-21', claims: [{ controlNumber: denied.claim.controlNumber, status: '4', chargeCents: 7000, paidCents: 0, adjustments: [{ group: 'CO', reason: '50', amountCents: 7000 }] }, { controlNumber: 'NOT-OURS-9', status: '1', chargeCents: 900, paidCents: 900 }] }])), 201);
    expect(result.claims.map((c: any) => c.outcome)).toEqual(['denied', 'exception']);
    const deniedAfter = json(await t.request('GET', `/api/v1/treatments/${denied.treatment.id}`), 200);
    expect(deniedAfter).toMatchObject({ patientResponsibilityCents: 0, insuranceStatus: 'awaiting' });
    expect(deniedAfter.claims[0].status).toBe('denied');
    const suspense = await t.database.handle.db.selectFrom('journalLines').select('amountCents').where('account', '=', 'remittance_suspense').execute();
    expect(suspense.map((l) => Number(l.amountCents))).toEqual([-900]);
    await t.expectLedgerBalances();
  });

  it('a claim the set took whose posting then fails is put back as it was: an exception, nothing half-posted, the rest of the payment posts', async () => {
    const location = await makeLocation(t);
    const patient = await insuredPatient(t, [A, B]);
    const failing = await visit(t, patient.id, location.id, '2026-03-03', 10000);
    const posting = await visit(t, patient.id, location.id, '2026-03-04', 5000);
    // The next payer's claim already open for the visit: forwarding the remainder to it cannot open a second one (one open claim per payer order).
    const db = t.database.handle.db;
    const read = await db.selectFrom('claims').selectAll().where('id', '=', failing.claim.id).executeTakeFirstOrThrow();
    await db.insertInto('claims').values({ ...read, id: `${read.id}-2`, controlNumber: `${read.controlNumber}-2`, coverageOrder: 2, payerName: B.payerName, payerId: B.payerId, billedCents: 0 }).execute();
    const result = json(
      await importEra(
        t,
        build835([
          {
            ...A,
            traceNumber: 'F-1',
            paymentDate: '2026-03-20',
            claims: [
              { controlNumber: failing.claim.controlNumber, status: '1', chargeCents: 10000, paidCents: 6000, adjustments: [{ group: 'CO', reason: '45', amountCents: 2000 }, { group: 'PR', reason: '2', amountCents: 2000 }] },
              { controlNumber: posting.claim.controlNumber, status: '1', chargeCents: 5000, paidCents: 4000, adjustments: [{ group: 'CO', reason: '45', amountCents: 1000 }] },
            ],
          },
        ]),
      ),
      201,
    );
    expect(result.claims.map((c: any) => [c.outcome, c.reasonCode])).toEqual([
      ['exception', 'posting_failed'],
      ['posted', null],
    ]);
    // Taken by the set's one update before it posted, and put back when its posting failed: as it was before the import.
    expect(await db.selectFrom('claims').selectAll().where('id', '=', failing.claim.id).executeTakeFirstOrThrow()).toEqual(read);
    expect(await remittanceAccounts(t, failing.treatment.id)).toEqual({});
    expect(json(await t.request('GET', `/api/v1/treatments/${posting.treatment.id}`), 200).claims[0]).toMatchObject({ status: 'processed', paidCents: 4000 });
    await t.expectLedgerBalances();
  });

  it('imports from the CLI with a summary, and a second import posts nothing', async () => {
    const { spawnSync } = await import('node:child_process');
    const os = await import('node:os');
    const location = await makeLocation(t);
    const patient = await insuredPatient(t, [A]);
    const { treatment, claim } = await visit(t, patient.id, location.id, '2026-07-01', 8000);
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'era-'));
    onTestFinished(() => fs.rmSync(folder, { recursive: true, force: true }));
    const file = path.join(folder, 'acme.835');
    fs.writeFileSync(file, build835([{ ...A, traceNumber: 'CLI-1', paymentDate: '2026-07-15', claims: [{ controlNumber: claim.controlNumber, status: '1', chargeCents: 8000, paidCents: 8000 }, { controlNumber: 'UNKNOWN-7', status: '1', chargeCents: 100, paidCents: 100 }] }]));
    const env = { ...process.env, DATA_DIR: t.database.dataDir, DATABASE_URL: t.database.databaseUrl ?? '', DEMO_DATA: 'false' };
    const run = () => spawnSync(process.execPath, [path.resolve('bin/ledger.mjs'), 'import-era', file, '--practice', 'alpha'], { env, encoding: 'utf8', timeout: 60_000 });
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('claims: 2 read, 1 posted, 1 exceptions');
    expect(first.stdout).toContain('exception UNKNOWN-7');
    expect(json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200).claims[0].status).toBe('processed');
    const second = run();
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('Already imported');
  }, 120_000);
});

describe.each(dialects)('835 posting rules per account on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('a status 23 on a claim still submitted posts nothing and does not start the refund review clock', async () => {
    const location = await makeLocation(t);
    const patient = await insuredPatient(t, [A]);
    const { treatment, claim } = await visit(t, patient.id, location.id, '2026-04-01', 15000);
    const copay = await makePayment(t, patient.id, { amountCents: 4000, method: 'cash', status: 'paid', treatmentId: treatment.id, type: 'office_visit', paidDate: '2026-04-01' });
    const result = json(
      await importEra(t, build835([{ ...A, traceNumber: 'NOT-OURS-1', paymentDate: '2026-04-10', claims: [{ controlNumber: claim.controlNumber, status: '23', chargeCents: 15000, paidCents: 0 }] }])),
      201,
    );
    expect(result).toMatchObject({ claimCount: 1, postedCount: 0, duplicates: [] });
    expect(result.exceptions.map((e: any) => [e.reasonCode, e.claimId, e.message])).toEqual([['not_ours', claim.id, 'The payer says this is not its claim (status 23); bill the right payer.']]);
    // The exception keeps the claim as read, remark codes included (none here), for a biller's match later.
    const kept = await t.database.handle.db.selectFrom('remittanceClaims').select('detail').where('remittanceId', '=', result.id).executeTakeFirstOrThrow();
    expect(JSON.parse(kept.detail)).toMatchObject({ remarkCodes: [], claim: { patientControlNumber: claim.controlNumber, status: '23' } });
    const after = json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200);
    expect(after.claims.map((c: any) => [c.status, c.processedDate, c.paidCents])).toEqual([['submitted', null, 0]]);
    expect(after).toMatchObject({ insuranceStatus: 'awaiting', patientResponsibilityCents: 0 });
    expect(await remittanceAccounts(t, treatment.id)).toEqual({});
    // Long past 45 days after the answer: the claim was never processed, so the held copay is not owed back.
    expect(json(await t.request('POST', '/api/v1/jobs/refund-review', { as: t.biller, body: { asOf: '2026-07-01' } }), 200).tasksCreated).toBe(0);
    expect(json(await t.request('GET', `/api/v1/payments/${copay.id}`), 200).billing).toMatchObject({ appliedCents: 0, unappliedCents: 4000 });
    await t.expectLedgerBalances();
  });

  it('a denial with money moves only the cash; a reversal of a denial takes it back', async () => {
    const location = await makeLocation(t);
    const patient = await insuredPatient(t, [A]);
    const { treatment, claim } = await visit(t, patient.id, location.id, '2026-04-02', 15000);
    const denial = { controlNumber: claim.controlNumber, status: '4', chargeCents: 15000, paidCents: 500, adjustments: [{ group: 'CO', reason: '50', amountCents: 14500 }] };
    expect(json(await importEra(t, build835([{ ...A, traceNumber: 'DEN-1', paymentDate: '2026-04-12', claims: [denial] }])), 201).claims[0]).toMatchObject({ outcome: 'denied', paidCents: 500, contractualCents: 0 });
    expect(await remittanceAccounts(t, treatment.id)).toEqual({ cash_clearing: 500, insurance_receivable: -500 });
    const reversal = { ...denial, status: '22', chargeCents: -15000, paidCents: -500, adjustments: [{ group: 'CO', reason: '50', amountCents: -14500 }] };
    expect(json(await importEra(t, build835([{ ...A, traceNumber: 'DEN-2', paymentDate: '2026-04-20', claims: [reversal] }])), 201).claims[0]).toMatchObject({ outcome: 'reversal', paidCents: -500 });
    expect(await remittanceAccounts(t, treatment.id)).toEqual({});
    await t.expectLedgerBalances();
  });

  it('a reversal cancels the claim it forwarded to the next payer and undoes the posting per account; once that payer has processed its claim, the reversal waits', async () => {
    const location = await makeLocation(t);
    const patient = await insuredPatient(t, [A, B]);
    const { treatment, claim } = await visit(t, patient.id, location.id, '2026-04-05', 15000);
    const primary = { controlNumber: claim.controlNumber, status: '19', chargeCents: 15000, paidCents: 8000, adjustments: [{ group: 'CO', reason: '45', amountCents: 3000 }, { group: 'PR', reason: '2', amountCents: 4000 }] };
    const reversal = { controlNumber: claim.controlNumber, status: '22', chargeCents: -15000, paidCents: -8000, adjustments: [{ group: 'CO', reason: '45', amountCents: -3000 }, { group: 'PR', reason: '2', amountCents: -4000 }] };
    const claimsOf = async () => json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200).claims;
    json(await importEra(t, build835([{ ...A, traceNumber: 'FWD-1', paymentDate: '2026-04-15', claims: [primary] }])), 201);
    const forwarded = (await claimsOf())[1];
    expect(forwarded).toMatchObject({ coverageOrder: 2, billedCents: 4000, status: 'submitted' });

    const undone = json(await importEra(t, build835([{ ...A, traceNumber: 'FWD-2', paymentDate: '2026-04-16', claims: [reversal] }])), 201);
    expect(undone.claims[0]).toMatchObject({
      outcome: 'reversal',
      paidCents: -8000,
      contractualCents: -3000,
      patientResponsibilityCents: -4000,
      forwardedCents: -4000,
      toPatientCents: 0,
      reasonCode: null,
      message: 'Reversal: the earlier posting was undone; a corrected payment can post again.',
    });
    const db = t.database.handle.db;
    const rows = await db.selectFrom('remittanceClaims').select(['outcome', 'detail', 'postingClaimId']).where('claimId', '=', claim.id).orderBy('createdAt').execute();
    expect(rows.map((r) => [r.outcome, r.postingClaimId])).toEqual([['reversed', null], ['reversal', null]]);
    expect(JSON.parse(rows[1]!.detail)).toMatchObject({ paidCents: -8000, contractualCents: -3000, patientResponsibilityCents: -4000, forwardedCents: -4000, toPatientCents: 0, nextClaimId: null });
    const audit = await db.selectFrom('auditEvents').select(['entityType', 'before', 'after']).where('action', '=', 'claim.reversed').where('entityId', '=', treatment.id).execute();
    expect(audit.map((a) => [a.entityType, JSON.parse(a.before!), JSON.parse(a.after!)])).toEqual([
      ['treatment', expect.objectContaining({ claimId: claim.id, paidCents: 8000, forwardedCents: 4000, nextClaimId: forwarded.id }), { claimId: claim.id, status: 'submitted' }],
    ]);
    const reversedEvents = (await db.selectFrom('outboxEvents').select('payload').where('type', '=', 'claim.reversed').execute()).map((e) => JSON.parse(e.payload)).filter((p) => p.claimId === claim.id);
    expect(reversedEvents).toEqual([{ claimId: claim.id, treatmentId: treatment.id }]);
    expect((await claimsOf()).map((c: any) => [c.coverageOrder, c.status])).toEqual([[1, 'submitted'], [2, 'cancelled']]);
    expect(json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200).insuranceStatus).toBe('awaiting');
    expect(await remittanceAccounts(t, treatment.id)).toEqual({});
    const memo = await t.database.handle.db.selectFrom('journalEntries').select('memo').where('memo', '=', `835 reversal of claim ${claim.controlNumber}`).execute();
    expect(memo).toHaveLength(1);

    // Posted again, and this time the next payer processes its claim: a reversal of the first posting must wait.
    json(await importEra(t, build835([{ ...A, traceNumber: 'FWD-3', paymentDate: '2026-04-20', claims: [primary] }])), 201);
    const next = (await claimsOf()).find((c: any) => c.coverageOrder === 2 && c.status === 'submitted');
    json(await importEra(t, build835([{ ...B, traceNumber: 'FWD-4', paymentDate: '2026-04-25', claims: [{ controlNumber: next.controlNumber, status: '2', chargeCents: 4000, paidCents: 2500, adjustments: [{ group: 'PR', reason: '1', amountCents: 1500 }] }] }])), 201);
    const waits = json(await importEra(t, build835([{ ...A, traceNumber: 'FWD-5', paymentDate: '2026-04-26', claims: [reversal] }])), 201);
    expect(waits.exceptions.map((e: any) => [e.reasonCode, e.message])).toEqual([['next_payer_processed', `The next payer already processed claim ${next.controlNumber}; reverse that first.`]]);
    expect(await remittanceAccounts(t, treatment.id)).toEqual({ cash_clearing: 10500, contractual_writeoff: 3000, patient_receivable: 1500, insurance_receivable: -15000 });
    await t.expectLedgerBalances();
  });

  it('only OA-23 restates the prior payer: a secondary sending CO-23 has it written off, with a warning', async () => {
    const location = await makeLocation(t);
    const patient = await insuredPatient(t, [A, B]);
    const { treatment, claim } = await visit(t, patient.id, location.id, '2026-04-03', 15000);
    json(await importEra(t, build835([{ ...A, traceNumber: 'COB-1', paymentDate: '2026-04-15', claims: [{ controlNumber: claim.controlNumber, status: '19', chargeCents: 15000, paidCents: 8000, adjustments: [{ group: 'CO', reason: '45', amountCents: 3000 }, { group: 'PR', reason: '2', amountCents: 4000 }] }] }])), 201);
    const second = json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200).claims[1];
    expect(second).toMatchObject({ coverageOrder: 2, billedCents: 4000 });
    // B restates A's $110.00 as OA-23 (recorded only) and leaves $15.00 to the patient: B's claim of $40.00 settles as $25.00 + $15.00.
    const oa = json(
      await importEra(t, build835([{ ...B, traceNumber: 'COB-2', paymentDate: '2026-04-25', claims: [{ controlNumber: second.controlNumber, status: '2', chargeCents: 15000, paidCents: 2500, adjustments: [{ group: 'OA', reason: '23', amountCents: 11000 }, { group: 'PR', reason: '1', amountCents: 1500 }] }] }])),
      201,
    );
    expect(oa.claims[0]).toMatchObject({ outcome: 'posted', paidCents: 2500, contractualCents: 0, toPatientCents: 1500 });
    expect(oa.warnings.filter((w: any) => w.code === 'claim_warning')).toEqual([]);
    expect(await remittanceAccounts(t, treatment.id)).toEqual({ cash_clearing: 10500, contractual_writeoff: 3000, patient_receivable: 1500, insurance_receivable: -15000 });

    // The same answer with CO-23 is a write-off of the payer's, not a prior payer's share: it is written off and the biller is warned.
    const other = await visit(t, patient.id, location.id, '2026-04-04', 15000);
    json(await importEra(t, build835([{ ...A, traceNumber: 'COB-3', paymentDate: '2026-04-15', claims: [{ controlNumber: other.claim.controlNumber, status: '19', chargeCents: 15000, paidCents: 8000, adjustments: [{ group: 'CO', reason: '45', amountCents: 3000 }, { group: 'PR', reason: '2', amountCents: 4000 }] }] }])), 201);
    const otherSecond = json(await t.request('GET', `/api/v1/treatments/${other.treatment.id}`), 200).claims[1];
    const co = json(
      await importEra(t, build835([{ ...B, traceNumber: 'COB-4', paymentDate: '2026-04-25', claims: [{ controlNumber: otherSecond.controlNumber, status: '2', chargeCents: 4000, paidCents: 2500, adjustments: [{ group: 'CO', reason: '23', amountCents: 500 }, { group: 'PR', reason: '1', amountCents: 1000 }] }] }])),
      201,
    );
    expect(co.claims[0]).toMatchObject({ outcome: 'posted', paidCents: 2500, contractualCents: 500, toPatientCents: 1000 });
    expect(co.warnings.filter((w: any) => w.code === 'claim_warning').map((w: any) => w.message)).toEqual([
      `Claim ${otherSecond.controlNumber}: CO-23 of $5.00: reason 23 (prior payer) belongs with group OA; posted as CO`,
    ]);
    expect(await remittanceAccounts(t, other.treatment.id)).toEqual({ cash_clearing: 10500, contractual_writeoff: 3500, patient_receivable: 1000, insurance_receivable: -15000 });
    await t.expectLedgerBalances();
  });
});
