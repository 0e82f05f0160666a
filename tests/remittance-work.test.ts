import { describe, expect, it } from 'vitest';
import { newId, nowIso } from '../src/db/ids.ts';
import type { Account } from '../src/domain/ledger/journal.ts';
import { addCalendarDays } from '../src/domain/remittance/payer-balances.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { practiceDate } from '../src/services/practices/practice-settings.ts';
import { build835, type Clp } from '../src/x12/build-835.ts';
import { makeLocation, makePatient } from './helpers/factories.ts';
import { json, type Caller, type TestApp, useTestApp } from './helpers/test-app.ts';
import { dialects } from './helpers/test-database.ts';

/**
 * Issue 10, items 4 and 5: the exceptions work queue (match posts from
 * suspense by the posting rule; resolve returns the money to the payer), the
 * denials work list with CARC/RARC descriptions, and payer balances on their
 * own ledger account with the 60-day deadline.
 */

const A = { payerName: 'ACME HEALTH', payerId: '11111' };
// Paid $80.00, CO-45 $30.00, PR-2 $40.00 of a $150.00 visit.
const paid = (controlNumber: string): Clp => ({
  controlNumber,
  status: '1',
  chargeCents: 15000,
  paidCents: 8000,
  patientResponsibilityCents: 4000,
  adjustments: [
    { group: 'CO', reason: '45', amountCents: 3000 },
    { group: 'PR', reason: '2', amountCents: 4000 },
  ],
});

function importEra(t: TestApp, body: string, fileName = 'era.835') {
  return t.request('POST', '/api/v1/remittances', { as: t.biller, body, headers: { 'content-type': 'text/plain', 'x-file-name': fileName } });
}

async function claimFor(t: TestApp, as: Caller = t.admin) {
  const location = await makeLocation(t, as);
  const patient = await makePatient(t, as);
  json(await t.request('PUT', `/api/v1/patients/${patient.id}/coverages`, { as, body: [{ ...A, memberId: `M${patient.id.slice(-6)}`, order: 1 }] }), 200);
  const treatment = json(await t.request('POST', '/api/v1/treatments', { as, body: { patientId: patient.id, locationId: location.id, serviceDate: '2026-03-02', physician: 'Dr. Osei', lines: [{ cpt: '99213', chargeCents: 15000 }] } }), 201);
  const claim = json(await t.request('POST', `/api/v1/treatments/${treatment.id}/claims`, { as }), 201);
  return { patient, treatment, claim };
}

type Balances = Record<Account, number>;

async function balances(t: TestApp): Promise<Balances> {
  const tb = json(await t.request('GET', '/api/v1/reports/trial-balance', { as: t.biller }), 200);
  expect(tb.totalCents).toBe(0);
  return Object.fromEntries(tb.accounts.map((a: any) => [a.account, a.balanceCents])) as Balances;
}

describe.each(dialects)('remittance work on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('matches an exception to a claim: posted from suspense by the posting rule, once, to the cent per account', async () => {
    const { patient, treatment, claim } = await claimFor(t);
    // $20.00 collected at the visit waits as unapplied funds until the payer is done.
    json(await t.request('POST', '/api/v1/payments', { body: { patientId: patient.id, treatmentId: treatment.id, amountCents: 2000, type: 'treatment_prepayment', method: 'cash', status: 'paid' } }), 201);
    const before = await balances(t);
    const era = build835([{ ...A, traceNumber: 'EXC-1', paymentDate: '2026-03-20', claims: [paid('TYPO-123')] }]);
    const imported = json(await importEra(t, era), 201);
    expect(imported.exceptions.map((e: any) => [e.patientControlNumber, e.reasonCode, e.paidCents])).toEqual([['TYPO-123', 'no_claim', 8000]]);

    const queue = json(await t.request('GET', '/api/v1/remittance-exceptions?status=open', { as: t.biller }), 200);
    expect(queue).toMatchObject({ total: 1, page: 1 });
    const exception = queue.items[0];
    expect(exception).toMatchObject({ patientControlNumber: 'TYPO-123', suspenseCents: 8000, status: 'open', matchable: true, payerName: 'ACME HEALTH', traceNumber: 'EXC-1', patientName: 'JANE DOE' });
    const held = await balances(t);
    expect(held.remittance_suspense - before.remittance_suspense).toBe(-8000);
    expect(held.cash_clearing - before.cash_clearing).toBe(8000);

    // Front desk may not work the queue; another practice sees no such exception; a claim of another practice is no claim.
    expect((await t.request('POST', `/api/v1/remittance-exceptions/${exception.id}/match`, { as: t.frontDesk, body: { claimId: claim.id } })).statusCode).toBe(403);
    expect(json(await t.request('POST', `/api/v1/remittance-exceptions/${exception.id}/match`, { as: t.otherAdmin, body: { claimId: claim.id } }), 404).code).toBe('not_found');
    const other = await claimFor(t, t.otherAdmin);
    expect(json(await t.request('POST', `/api/v1/remittance-exceptions/${exception.id}/match`, { as: t.biller, body: { claimId: other.claim.id } }), 404).code).toBe('not_found');
    expect(json(await t.request('POST', `/api/v1/remittance-exceptions/${exception.id}/match`, { as: t.biller, body: {} }), 400).code).toBe('validation_failed');
    expect(await balances(t)).toEqual(held);

    // The claim search the match dialog uses: by control number or patient name, this practice's claims only.
    const found = json(await t.request('GET', `/api/v1/claims?search=${claim.controlNumber.slice(0, 6)}&status=submitted&pageSize=200`, { as: t.biller }), 200);
    expect(found.items.map((c: any) => c.id)).toContain(claim.id);
    const byName = json(await t.request('GET', `/api/v1/claims?search=${encodeURIComponent(`pat ${patient.lastName}`)}`, { as: t.biller }), 200);
    expect(byName.items.map((c: any) => [c.id, c.patientName, c.serviceDate, c.billedCents])).toEqual([[claim.id, `Pat ${patient.lastName}`, '2026-03-02', 15000]]);
    expect(json(await t.request('GET', `/api/v1/claims?search=${claim.controlNumber}`, { as: t.otherAdmin }), 200).total).toBe(0);

    const key = { 'idempotency-key': `match-${dialect}` };
    const matched = json(await t.request('POST', `/api/v1/remittance-exceptions/${exception.id}/match`, { as: t.biller, headers: key, body: { claimId: claim.id } }), 200);
    expect(matched).toMatchObject({ id: exception.id, status: 'matched', matchedClaimId: claim.id, matchedControlNumber: claim.controlNumber, resolvedBy: 'biller token' });
    // A retry with the key replays the answer; another match of it is refused.
    expect(json(await t.request('POST', `/api/v1/remittance-exceptions/${exception.id}/match`, { as: t.biller, headers: key, body: { claimId: claim.id } }), 200)).toEqual(matched);
    expect(json(await t.request('POST', `/api/v1/remittance-exceptions/${exception.id}/match`, { as: t.biller, body: { claimId: claim.id } }), 409).code).toBe('exception_not_open');

    const after = await balances(t);
    const moved = Object.fromEntries((Object.keys(after) as Account[]).map((k) => [k, after[k] - held[k]]).filter(([, v]) => v !== 0));
    // Suspense emptied into the claim: $80.00 paid, $30.00 written off, $40.00 to the patient, of which the $20.00 collected applies.
    expect(moved).toEqual({ remittance_suspense: 8000, contractual_writeoff: 3000, insurance_receivable: -15000, patient_receivable: 2000, patient_unapplied: 2000 });
    // The claim's posting says where its money came from.
    const memos = await t.database.handle.db.selectFrom('journalEntries').select('memo').where('kind', '=', 'remittance').where('memo', 'like', `%claim ${claim.controlNumber}%`).execute();
    expect(memos.map((m) => m.memo)).toEqual([`835 ACME HEALTH claim ${claim.controlNumber} status 1 matched from suspense`]);
    const visit = json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200);
    expect(visit).toMatchObject({ patientResponsibilityCents: 4000, balanceCents: 2000 });
    expect(visit.claims.map((c: any) => [c.status, c.paidCents, c.contractualCents, c.patientResponsibilityCents])).toEqual([['processed', 8000, 3000, 4000]]);
    expect(json(await t.request('GET', '/api/v1/remittance-exceptions?status=open', { as: t.biller }), 200).total).toBe(0);
    expect(json(await t.request('GET', '/api/v1/remittance-exceptions?status=resolved', { as: t.biller }), 200).items.map((e: any) => e.id)).toContain(exception.id);
    const audit = json(await t.request('GET', `/api/v1/audit-events?entityType=remittance_exception&entityId=${exception.id}`), 200);
    expect(audit.items.map((a: any) => a.action)).toEqual(['remittance_exception.matched']);
    await t.expectLedgerBalances();
  });

  it('refuses to match an exception to a claim already paid, and one whose claim payment does not post', async () => {
    const { claim } = await claimFor(t);
    const era = build835([{ ...A, traceNumber: 'EXC-2', paymentDate: '2026-03-20', claims: [paid(claim.controlNumber), paid('TYPO-456'), { controlNumber: 'NOTOURS-1', status: '23', chargeCents: 500, paidCents: 0 }] }]);
    json(await importEra(t, era, 'exc2.835'), 201);
    const open = json(await t.request('GET', '/api/v1/remittance-exceptions?status=open&pageSize=200', { as: t.biller }), 200).items;
    const typo = open.find((e: any) => e.patientControlNumber === 'TYPO-456');
    const notOurs = open.find((e: any) => e.patientControlNumber === 'NOTOURS-1');
    const held = await balances(t);
    expect(json(await t.request('POST', `/api/v1/remittance-exceptions/${typo.id}/match`, { as: t.biller, body: { claimId: claim.id } }), 409).code).toBe('claim_not_open');
    expect(notOurs.matchable).toBe(false);
    expect(json(await t.request('POST', `/api/v1/remittance-exceptions/${notOurs.id}/match`, { as: t.biller, body: { claimId: claim.id } }), 422).code).toBe('exception_not_matchable');
    // Nothing moved and both are still open.
    expect(await balances(t)).toEqual(held);
    const still = json(await t.request('GET', '/api/v1/remittance-exceptions?status=open&pageSize=200', { as: t.biller }), 200).items.map((e: any) => e.id);
    expect(still).toEqual(expect.arrayContaining([typo.id, notOurs.id]));
    await t.expectLedgerBalances();
  });

  it('resolves an exception as returned to the payer: an owed-to-payer item on payer_overpayment with its 60-day deadline', async () => {
    const era = build835([{ ...A, payerName: 'RETURN HEALTH', payerId: '22222', traceNumber: 'EXC-3', paymentDate: '2026-03-20', claims: [{ controlNumber: 'STRANGER-9', status: '1', chargeCents: 900, paidCents: 900 }] }]);
    json(await importEra(t, era, 'exc3.835'), 201);
    const exception = json(await t.request('GET', '/api/v1/remittance-exceptions?status=open&pageSize=200', { as: t.biller }), 200).items.find((e: any) => e.patientControlNumber === 'STRANGER-9');
    const held = await balances(t);
    expect(json(await t.request('POST', `/api/v1/remittance-exceptions/${exception.id}/resolve`, { as: t.biller, body: { resolution: 'returned_to_payer', note: '  ' } }), 400).code).toBe('validation_failed');
    expect(json(await t.request('POST', `/api/v1/remittance-exceptions/${exception.id}/resolve`, { as: t.biller, body: { resolution: 'kept_it', note: 'x' } }), 400).code).toBe('validation_failed');
    expect(json(await t.request('POST', `/api/v1/remittance-exceptions/${exception.id}/resolve`, { as: t.otherAdmin, body: { resolution: 'returned_to_payer', note: 'x' } }), 404).code).toBe('not_found');
    const resolved = json(
      await t.request('POST', `/api/v1/remittance-exceptions/${exception.id}/resolve`, { as: t.biller, headers: { 'idempotency-key': `resolve-${dialect}` }, body: { resolution: 'returned_to_payer', note: 'Refund check 1001 mailed to the payer' } }),
      200,
    );
    expect(resolved).toMatchObject({ status: 'resolved', resolution: 'returned_to_payer', resolutionNote: 'Refund check 1001 mailed to the payer' });
    expect(json(await t.request('POST', `/api/v1/remittance-exceptions/${exception.id}/resolve`, { as: t.biller, body: { resolution: 'not_ours', note: 'again' } }), 409).code).toBe('exception_not_open');

    const after = await balances(t);
    expect(after.remittance_suspense - held.remittance_suspense).toBe(900);
    expect(after.payer_overpayment - held.payer_overpayment).toBe(-900);
    expect(after.patient_credit).toBe(held.patient_credit);
    expect(after.patient_unapplied).toBe(held.patient_unapplied);

    const today = await practiceDate(t.database.handle.db, t.biller.actor.practiceId);
    const report = json(await t.request('GET', '/api/v1/reports/payer-balances', { as: t.biller }), 200);
    const payer = report.payers.find((p: any) => p.payerName === 'RETURN HEALTH');
    // TRN03 (1 + the payer's id) names the payer.
    expect(payer).toMatchObject({ payerId: '122222', owedToPayerCents: 900, owedByPayerCents: 0, overdueCents: 0 });
    expect(payer.items).toEqual([
      expect.objectContaining({ amountCents: 900, direction: 'owed_to_payer', source: 'exception_resolved', booked: true, identifiedDate: today, deadlineDate: addCalendarDays(today, 60), settledDate: null, overdue: false }),
    ]);
    await t.expectLedgerBalances();

    // The practice mails the money back: it leaves payer_overpayment and cash, once.
    const itemId = payer.items[0].id;
    expect(json(await t.request('POST', `/api/v1/payer-balance-items/${itemId}/refund`, { as: t.biller, body: { note: ' ' } }), 400).code).toBe('validation_failed');
    expect(json(await t.request('POST', `/api/v1/payer-balance-items/${itemId}/refund`, { as: t.otherAdmin, body: { note: 'x' } }), 404).code).toBe('not_found');
    const refunded = json(await t.request('POST', `/api/v1/payer-balance-items/${itemId}/refund`, { as: t.biller, headers: { 'idempotency-key': `refund-${dialect}` }, body: { note: 'Check 1001' } }), 200);
    expect(refunded).toMatchObject({ id: itemId, settledDate: today, settlement: 'refunded', settlementNote: 'Check 1001', overdue: false });
    expect(json(await t.request('POST', `/api/v1/payer-balance-items/${itemId}/refund`, { as: t.biller, body: { note: 'again' } }), 409).code).toBe('payer_balance_settled');
    const settled = await balances(t);
    expect(settled.payer_overpayment).toBe(held.payer_overpayment);
    expect(settled.cash_clearing - after.cash_clearing).toBe(-900);
    expect(json(await t.request('GET', '/api/v1/reports/payer-balances?status=open', { as: t.biller }), 200).payers.find((p: any) => p.payerName === 'RETURN HEALTH')).toBeUndefined();
    await t.expectLedgerBalances();
  });

  it('books a recoupment (a reversal with the balance forwarded by PLB FB) as owed to the payer, and flags it 60 days later', async () => {
    const { treatment, claim } = await claimFor(t);
    const second = await claimFor(t);
    json(await importEra(t, build835([{ ...A, payerName: 'RECOUP HEALTH', traceNumber: 'RC-1', paymentDate: '2026-03-20', claims: [paid(claim.controlNumber)] }]), 'rc1.835'), 201);
    const held = await balances(t);
    // The payer takes the $80.00 back, pays another claim $80.00, forwards −$80.00 (FB) to recoup later and takes a $1.00 CS adjustment.
    const reversal: Clp = { controlNumber: claim.controlNumber, status: '22', chargeCents: -15000, paidCents: -8000, patientResponsibilityCents: -4000, adjustments: [{ group: 'CO', reason: '45', amountCents: -3000 }, { group: 'PR', reason: '2', amountCents: -4000 }] };
    const era = build835([{ ...A, payerName: 'RECOUP HEALTH', traceNumber: 'RC-2', paymentDate: '2026-04-20', claims: [reversal, paid(second.claim.controlNumber)], plb: [{ reason: 'FB', reference: 'RECOUP1', amountCents: -8000 }, { reason: 'CS', reference: 'ADJ', amountCents: 100 }] }]);
    const result = json(await importEra(t, era, 'rc2.835'), 201);
    expect(result).toMatchObject({ postedCount: 2, exceptionCount: 0 });
    expect(result.payments[0]).toMatchObject({ paymentCents: 7900, balanced: true });

    const after = await balances(t);
    const moved = Object.fromEntries((Object.keys(after) as Account[]).map((k) => [k, after[k] - held[k]]).filter(([, v]) => v !== 0));
    // The FB is the payer's money (payer_overpayment), the CS a provider adjustment; nothing reaches the patient's credit.
    expect(moved).toMatchObject({ cash_clearing: 7900, payer_overpayment: -8000, provider_adjustment: 100 });
    expect(moved.patient_credit).toBeUndefined();
    expect(json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200).claims[0]).toMatchObject({ status: 'submitted', paidCents: 0 });

    const today = await practiceDate(t.database.handle.db, t.biller.actor.practiceId);
    const at = (asOf: string) => t.request('GET', `/api/v1/reports/payer-balances?asOf=${asOf}`, { as: t.biller });
    const onTime = json(await at(addCalendarDays(today, 60)), 200).payers.find((p: any) => p.payerName === 'RECOUP HEALTH');
    expect(onTime.items.map((i: any) => [i.source, i.direction, i.amountCents, i.booked, i.settledDate === null, i.overdue]).sort()).toEqual([
      ['provider_adjustment', 'owed_to_payer', 8000, true, true, false],
      ['reversal_without_correction', 'owed_to_payer', 8000, false, false, false],
    ]);
    expect(onTime).toMatchObject({ owedToPayerCents: 8000, overdueCents: 0 });
    const late = json(await at(addCalendarDays(today, 61)), 200);
    const lateItems = late.payers.find((p: any) => p.payerName === 'RECOUP HEALTH');
    expect(lateItems).toMatchObject({ owedToPayerCents: 8000, overdueCents: 8000 });
    expect(lateItems.items.find((i: any) => i.source === 'provider_adjustment')).toMatchObject({ reasonCode: 'FB', reference: 'RECOUP1', deadlineDate: addCalendarDays(today, 60), overdue: true });
    expect(late.overdueCount).toBeGreaterThanOrEqual(1);
    expect(json(await t.request('GET', '/api/v1/reports/payer-balances', { as: t.frontDesk }), 403).code).toBe('forbidden');
    await t.expectLedgerBalances();

    // The payer recovers it from a later payment (WO +$80.00): owed by the payer, which nets the FB.
    const third = await claimFor(t);
    json(await importEra(t, build835([{ ...A, payerName: 'RECOUP HEALTH', traceNumber: 'RC-3', paymentDate: '2026-05-20', claims: [paid(third.claim.controlNumber)], plb: [{ reason: 'WO', reference: 'RECOUP1', amountCents: 8000 }] }]), 'rc3.835'), 201);
    const both = json(await t.request('GET', '/api/v1/reports/payer-balances?status=open', { as: t.biller }), 200).payers.find((p: any) => p.payerName === 'RECOUP HEALTH');
    expect(both).toMatchObject({ owedToPayerCents: 8000, owedByPayerCents: 8000, netOwedToPayerCents: 0 });
    const fb = both.items.find((i: any) => i.reasonCode === 'FB');
    const wo = both.items.find((i: any) => i.reasonCode === 'WO');
    expect(wo).toMatchObject({ direction: 'owed_by_payer', amountCents: 8000, booked: true });
    const netted = await balances(t);
    expect(netted.payer_overpayment - held.payer_overpayment).toBe(0);
    // An owed-by item is not refunded; a mismatched pair is no offset.
    expect(json(await t.request('POST', `/api/v1/payer-balance-items/${wo.id}/refund`, { as: t.biller, body: { note: 'x' } }), 422).code).toBe('business_rule');
    expect(json(await t.request('POST', `/api/v1/payer-balance-items/${fb.id}/offset`, { as: t.biller, body: { againstItemId: fb.id, note: 'x' } }), 422).code).toBe('business_rule');
    expect(json(await t.request('POST', `/api/v1/payer-balance-items/${fb.id}/offset`, { as: t.otherAdmin, body: { againstItemId: wo.id, note: 'x' } }), 404).code).toBe('not_found');
    const offset = json(await t.request('POST', `/api/v1/payer-balance-items/${fb.id}/offset`, { as: t.biller, body: { againstItemId: wo.id, note: 'Recouped in RC-3' } }), 200);
    expect(offset).toMatchObject({ id: fb.id, settledDate: today, settlement: 'offset', overdue: false });
    expect(json(await t.request('POST', `/api/v1/payer-balance-items/${wo.id}/offset`, { as: t.biller, body: { againstItemId: fb.id, note: 'again' } }), 409).code).toBe('payer_balance_settled');
    // No money moved; nothing is open or overdue for the payer any more.
    expect(await balances(t)).toEqual(netted);
    const settledLate = json(await at(addCalendarDays(today, 61)), 200).payers.find((p: any) => p.payerName === 'RECOUP HEALTH');
    expect(settledLate).toMatchObject({ owedToPayerCents: 0, owedByPayerCents: 0, overdueCents: 0 });
    await t.expectLedgerBalances();
  });

  it('a payer paying more than billed: the excess is owed to the payer, not written off', async () => {
    const { claim } = await claimFor(t);
    const held = await balances(t);
    const over: Clp = { controlNumber: claim.controlNumber, status: '1', chargeCents: 15000, paidCents: 15500, adjustments: [{ group: 'CO', reason: '45', amountCents: -500 }] };
    json(await importEra(t, build835([{ ...A, payerName: 'GENEROUS HEALTH', traceNumber: 'OV-1', paymentDate: '2026-03-20', claims: [over] }]), 'over.835'), 201);
    const after = await balances(t);
    const moved = Object.fromEntries((Object.keys(after) as Account[]).map((k) => [k, after[k] - held[k]]).filter(([, v]) => v !== 0));
    expect(moved).toEqual({ cash_clearing: 15500, insurance_receivable: -15000, payer_overpayment: -500 });
    const payer = json(await t.request('GET', '/api/v1/reports/payer-balances', { as: t.biller }), 200).payers.find((p: any) => p.payerName === 'GENEROUS HEALTH');
    // Owed to the payer the 835 names (TRN03, which build835 writes as "1" and the payer's id).
    expect(payer.payerId).toBe(`1${A.payerId}`);
    expect(payer.items).toEqual([
      expect.objectContaining({
        source: 'paid_more_than_billed',
        direction: 'owed_to_payer',
        amountCents: 500,
        booked: true,
        description: `Claim ${claim.controlNumber} was paid $155.00 for a charge of $150.00: $5.00 overpaid.`,
      }),
    ]);
    await t.expectLedgerBalances();
  });

  it('lists denials with CARC and RARC descriptions, and exports both lists as CSV', async () => {
    const denied = await claimFor(t);
    const zero = await claimFor(t);
    const era = build835([
      {
        ...A,
        traceNumber: 'DN-1',
        paymentDate: '2026-03-20',
        claims: [
          { controlNumber: denied.claim.controlNumber, status: '4', chargeCents: 15000, paidCents: 0, adjustments: [{ group: 'CO', reason: '50', amountCents: 15000 }], remarks: ['N130', 'Z99'] },
          { controlNumber: zero.claim.controlNumber, status: '1', chargeCents: 15000, paidCents: 0, patientResponsibilityCents: 15000, adjustments: [{ group: 'PR', reason: '1', amountCents: 15000 }] },
          { controlNumber: 'EXPORT-ME', status: '1', chargeCents: 1234, paidCents: 1234 },
        ],
      },
    ]);
    json(await importEra(t, era, 'denials.835'), 201);
    const list = json(await t.request('GET', '/api/v1/denials?pageSize=200', { as: t.biller }), 200);
    const byClaim = new Map(list.items.map((d: any) => [d.controlNumber, d]));
    expect(byClaim.get(denied.claim.controlNumber)).toMatchObject({
      statusCode: '4',
      paidCents: 0,
      chargeCents: 15000,
      patientId: denied.patient.id,
      serviceDate: '2026-03-02',
      payerName: 'ACME HEALTH',
      adjustments: [{ group: 'CO', code: '50', amountCents: 15000, description: expect.stringMatching(/medically necessary/) }],
      remarks: [
        { code: 'N130', description: expect.stringMatching(/benefit/) },
        { code: 'Z99', description: 'unknown code Z99' },
      ],
    });
    expect(byClaim.get(zero.claim.controlNumber)).toMatchObject({ statusCode: '1', adjustments: [{ group: 'PR', code: '1', description: expect.stringMatching(/[Dd]eductible/) }] });
    // A claim paid in full is no denial.
    expect([...byClaim.keys()]).not.toContain('EXPORT-ME');
    expect(json(await t.request('GET', '/api/v1/denials', { as: t.frontDesk }), 403).code).toBe('forbidden');
    expect(json(await t.request('GET', '/api/v1/denials', { as: t.otherAdmin }), 200).items.map((d: any) => d.controlNumber)).not.toContain(denied.claim.controlNumber);

    const denialsCsv = await t.request('GET', '/api/v1/denials/export.csv', { as: t.biller });
    expect(denialsCsv.statusCode).toBe(200);
    expect(denialsCsv.headers['content-type']).toMatch(/text\/csv/);
    const denialLines = denialsCsv.body.trim().split(/\r?\n/);
    expect(denialLines[0]).toBe('paymentDate,payer,claimControlNumber,patient,serviceDate,claimStatus,charge,paid,adjustments,remarks,fileName,id');
    const deniedRow = denialLines.find((l) => l.includes(denied.claim.controlNumber))!;
    expect(deniedRow).toContain('2026-03-20,ACME HEALTH');
    expect(deniedRow).toContain(',150.00,0.00,');
    expect(deniedRow).toMatch(/CO-50 150\.00: Not covered/);
    expect(deniedRow).toContain('Z99: unknown code Z99');
    expect(denialLines).toHaveLength(list.total + 1);

    const exceptionsCsv = await t.request('GET', '/api/v1/remittance-exceptions/export.csv?status=open', { as: t.biller });
    expect(exceptionsCsv.statusCode).toBe(200);
    const lines = exceptionsCsv.body.trim().split(/\r?\n/);
    expect(lines[0]).toBe('importedDate,fileName,payer,traceNumber,paymentDate,claimControlNumber,patient,claimStatus,reason,message,charge,paid,suspense,status,matchedClaim,resolution,note,resolvedDate,resolvedBy,id');
    const row = lines.find((l) => l.includes('EXPORT-ME'))!;
    expect(row).toContain('denials.835,ACME HEALTH,DN-1,2026-03-20,EXPORT-ME,JANE DOE,1,no_claim,');
    expect(row).toContain(',12.34,12.34,open,');
    const open = json(await t.request('GET', '/api/v1/remittance-exceptions?status=open', { as: t.biller }), 200);
    expect(lines).toHaveLength(open.total + 1);
    expect((await t.request('GET', '/api/v1/remittance-exceptions/export.csv', { as: t.frontDesk })).statusCode).toBe(403);
    await t.expectLedgerBalances();
  });

  it('verify names a wrong posting on payer_overpayment and an item whose entry disagrees', async () => {
    const db = t.database.handle.db;
    const practiceId = t.biller.actor.practiceId;
    const rp = await db.selectFrom('remittancePayments').select('id').where('practiceId', '=', practiceId).where('status', '=', 'posted').executeTakeFirstOrThrow();
    // A bug that books PLB money on payer_overpayment under a remittance entry, with no payer balance item.
    const entryId = newId();
    await db.insertInto('journalEntries').values({ id: entryId, practiceId, kind: 'remittance', paymentId: null, memo: 'planted', createdAt: nowIso(), createdBy: 'test', sourceType: 'remittance_payment', sourceId: rp.id }).execute();
    await db.insertInto('journalLines').values([
      { id: newId(), entryId, practiceId, account: 'payer_overpayment', patientId: null, paymentId: null, treatmentId: null, amountCents: 700 },
      { id: newId(), entryId, practiceId, account: 'cash_clearing', patientId: null, paymentId: null, treatmentId: null, amountCents: -700 },
    ]).execute();
    const problems = await verifyLedger(db, { practiceId });
    expect(problems.filter((p) => p.check === 'payer_overpayment').map((p) => p.detail).join('\n')).toMatch(/open payer balance items say/);
    expect(problems.some((p) => p.check === 'entry_lines' && p.entity.includes(entryId) && p.detail.includes('payer_overpayment'))).toBe(true);
    await db.deleteFrom('journalLines').where('entryId', '=', entryId).execute();
    await db.deleteFrom('journalEntries').where('id', '=', entryId).execute();

    // An item whose amount no longer matches its entry.
    const item = await db.selectFrom('payerBalanceItems').select(['id', 'amountCents']).where('practiceId', '=', practiceId).where('booked', '=', 1).where('settledDate', 'is', null).executeTakeFirstOrThrow();
    await db.updateTable('payerBalanceItems').set({ amountCents: Number(item.amountCents) + 1 }).where('id', '=', item.id).execute();
    const wrong = await verifyLedger(db, { practiceId });
    expect(wrong.some((p) => p.check === 'entry_lines' && p.detail.startsWith('payer_overpayment'))).toBe(true);
    expect(wrong.some((p) => p.check === 'payer_overpayment')).toBe(true);
    await db.updateTable('payerBalanceItems').set({ amountCents: item.amountCents }).where('id', '=', item.id).execute();

    // An item marked refunded with no refund posted: the payer is still owed, whatever the item says.
    const open = await db.selectFrom('payerBalanceItems').select('id').where('practiceId', '=', practiceId).where('booked', '=', 1).where('settledDate', 'is', null).where('direction', '=', 'owed_to_payer').executeTakeFirstOrThrow();
    await db.updateTable('payerBalanceItems').set({ settledDate: '2026-01-01', settlement: 'refunded' }).where('id', '=', open.id).execute();
    const unposted = await verifyLedger(db, { practiceId });
    expect(unposted.filter((p) => p.check === 'payer_overpayment').map((p) => p.entity)).toEqual(expect.arrayContaining([`payer balance item ${open.id}`, 'payer_overpayment account']));
    // The same item marked offset with nothing against it.
    await db.updateTable('payerBalanceItems').set({ settledDate: '2026-01-01', settlement: 'offset' }).where('id', '=', open.id).execute();
    const lone = await verifyLedger(db, { practiceId });
    expect(lone.find((p) => p.entity === `payer balance item ${open.id}`)?.detail).toMatch(/offset without an opposite item/);
    await db.updateTable('payerBalanceItems').set({ settledDate: null, settlement: null }).where('id', '=', open.id).execute();
    await t.expectLedgerBalances();
  });
});
