import { describe, expect, it } from 'vitest';
import { newId, nowIso } from '../src/db/ids.ts';
import { verifyLedger, type LedgerProblem } from '../src/services/ledger/verify-ledger.ts';
import { build835 } from '../src/x12/build-835.ts';
import { makeLocation, makePatient, makePayment } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp, type TestApp } from './helpers/test-app.ts';

const A = { payerName: 'ACME HEALTH', payerId: '11111' };

/**
 * One legitimate day of business — an insured visit paid by an 835 with a
 * contractual write-off, patient responsibility, a PLB and an unmatched claim
 * held in suspense; a cash payment partly refunded — then each kind of wrong
 * posting planted straight into the journal (as a bug in posting code would
 * write it). Verify must name each one, and be clean again once it is undone.
 */
describe.each(dialects)('ledger verify names every kind of wrong posting on %s', (dialect) => {
  const t = useTestApp(dialect);
  const db = () => t.database.handle.db;

  let scenario: Awaited<ReturnType<typeof buildScenario>> | undefined;
  async function setup() {
    scenario ??= await buildScenario(t);
    return scenario;
  }

  /** Applies a plant, returns verify's problems, then undoes it and checks the ledger is clean again. */
  async function planted(plant: () => Promise<() => Promise<void>>): Promise<LedgerProblem[]> {
    await setup();
    expect(await verifyLedger(db())).toEqual([]);
    const undo = await plant();
    const problems = await verifyLedger(db());
    await undo();
    expect(await verifyLedger(db())).toEqual([]);
    return problems;
  }

  async function swapAccounts(entryId: string, from: string, to: string) {
    await db().updateTable('journalLines').set({ account: to }).where('entryId', '=', entryId).where('account', '=', from).execute();
    return async () => {
      await db().updateTable('journalLines').set({ account: from }).where('entryId', '=', entryId).where('account', '=', to).execute();
    };
  }

  async function insertEntry(entry: { kind: string; sourceType: string | null; sourceId: string | null; paymentId?: string | null }, lines: Array<{ account: string; amountCents: number; patientId?: string; paymentId?: string; treatmentId?: string }>) {
    const s = await setup();
    const id = newId();
    await db().insertInto('journalEntries').values({ id, practiceId: s.practiceId, kind: entry.kind, paymentId: entry.paymentId ?? null, memo: 'planted', createdAt: nowIso(), createdBy: 'test', sourceType: entry.sourceType, sourceId: entry.sourceId }).execute();
    await db()
      .insertInto('journalLines')
      .values(lines.map((l) => ({ id: newId(), entryId: id, practiceId: s.practiceId, account: l.account, patientId: l.patientId ?? null, paymentId: l.paymentId ?? null, treatmentId: l.treatmentId ?? null, amountCents: l.amountCents })))
      .execute();
    return {
      id,
      undo: async () => {
        await db().deleteFrom('journalLines').where('entryId', '=', id).execute();
        await db().deleteFrom('journalEntries').where('id', '=', id).execute();
      },
    };
  }

  function named(problems: LedgerProblem[], check: string, text: string) {
    return problems.filter((p) => p.check === check && `${p.entity} ${p.detail}`.includes(text));
  }

  it('the legitimate scenario verifies clean, with the trial balance per account to the cent', async () => {
    const s = await setup();
    expect(await verifyLedger(db())).toEqual([]);
    const tb = json(await t.request('GET', '/api/v1/reports/trial-balance', { as: t.biller }), 200);
    expect(Object.fromEntries(tb.accounts.map((a: any) => [a.account, a.balanceCents]))).toEqual({
      cash_clearing: 10_000 + 500 - 200 + 5_000 - 1_000,
      patient_unapplied: -4_000,
      patient_credit: 0,
      patient_receivable: 2_000,
      insurance_receivable: 6_000,
      contractual_writeoff: 3_000,
      // PLB WO (overpayment recovery) is money between the practice and the payer: payer_overpayment, not a provider adjustment.
      provider_adjustment: 0,
      charges: -21_000,
      credit_adjustment: 0,
      remittance_suspense: -500,
      processor_disputes: 0,
      processor_fees: 0,
      payer_overpayment: 200,
      unidentified_receipts: 0,
    });
    expect(tb.totalCents).toBe(0);
    expect(s.claimEntryId).toBeTruthy();
  });

  it('cash and contractual write-off swapped in a remittance entry', async () => {
    const s = await setup();
    const problems = await planted(async () => {
      // Both lines change places: the entry still balances.
      await db().updateTable('journalLines').set({ account: 'swap_tmp' }).where('entryId', '=', s.claimEntryId).where('account', '=', 'cash_clearing').execute();
      await db().updateTable('journalLines').set({ account: 'cash_clearing' }).where('entryId', '=', s.claimEntryId).where('account', '=', 'contractual_writeoff').execute();
      await db().updateTable('journalLines').set({ account: 'contractual_writeoff' }).where('entryId', '=', s.claimEntryId).where('account', '=', 'swap_tmp').execute();
      return async () => {
        await db().updateTable('journalLines').set({ account: 'swap_tmp' }).where('entryId', '=', s.claimEntryId).where('account', '=', 'cash_clearing').execute();
        await db().updateTable('journalLines').set({ account: 'cash_clearing' }).where('entryId', '=', s.claimEntryId).where('account', '=', 'contractual_writeoff').execute();
        await db().updateTable('journalLines').set({ account: 'contractual_writeoff' }).where('entryId', '=', s.claimEntryId).where('account', '=', 'swap_tmp').execute();
      };
    });
    expect(named(problems, 'contractual_writeoff', s.claimEntryId)).toHaveLength(1);
    expect(named(problems, 'contractual_writeoff', '$100.00')[0]?.detail).toContain('CO adjustments posted on its claims are $30.00');
    expect(named(problems, 'remittance_cash', s.claimEntryId)).toHaveLength(1);
    expect(problems.every((p) => p.check !== 'entry_balances')).toBe(true);
  });

  it('a refund posted against charges instead of cash', async () => {
    const s = await setup();
    const problems = await planted(() => swapAccounts(s.refundEntryId, 'cash_clearing', 'charges'));
    const lines = named(problems, 'entry_lines', s.refundEntryId);
    expect(lines.map((p) => p.detail)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^cash_clearing .* is debited \$10\.00 more/), expect.stringMatching(/^charges .* is credited \$10\.00 more/)]),
    );
    expect(named(problems, 'cash_clearing', 'PAY-')).toHaveLength(1);
  });

  it('a balanced entry with no source record, and one naming a record that does not exist', async () => {
    const s = await setup();
    const lines = [
      { account: 'cash_clearing', amountCents: 700, patientId: s.cashPatientId, paymentId: s.cashPaymentId },
      { account: 'patient_unapplied', amountCents: -700, patientId: s.cashPatientId, paymentId: s.cashPaymentId },
    ];
    const orphan = await insertEntry({ kind: 'payment_received', sourceType: null, sourceId: null, paymentId: s.cashPaymentId }, lines);
    const ghost = await insertEntry({ kind: 'payment_received', sourceType: 'payment', sourceId: newId() }, lines);
    const problems = await verifyLedger(db());
    await orphan.undo();
    await ghost.undo();
    expect(await verifyLedger(db())).toEqual([]);
    expect(named(problems, 'entry_source', orphan.id)[0]?.detail).toBe('names no source record');
    expect(named(problems, 'entry_source', ghost.id)).toHaveLength(1);
  });

  it('a wrong amount on insurance receivable for one claim', async () => {
    const s = await setup();
    const problems = await planted(async () => {
      // The posting books $7.00 more of the claim to the patient than the payer said.
      const { undo } = await insertEntry({ kind: 'remittance', sourceType: 'remittance_payment', sourceId: s.remittancePaymentId }, [
        { account: 'patient_receivable', amountCents: 700, patientId: s.insuredPatientId, treatmentId: s.treatmentId },
        { account: 'insurance_receivable', amountCents: -700, patientId: s.insuredPatientId, treatmentId: s.treatmentId },
      ]);
      return undo;
    });
    const receivable = named(problems, 'insurance_receivable', s.claimControlNumber);
    expect(receivable).toHaveLength(1);
    expect(receivable[0]!.detail).toContain("the journal's insurance receivable is -$7.00; billed − paid − adjusted − passed on says $0.00");
    expect(named(problems, 'treatment_receivable', s.treatmentId)).toHaveLength(1);
  });

  it('suspense that does not match the open exceptions', async () => {
    const s = await setup();
    let plantedId = '';
    const problems = await planted(async () => {
      // Suspense emptied into write-off although the exception is still open.
      const { id, undo } = await insertEntry({ kind: 'remittance', sourceType: 'remittance_payment', sourceId: s.remittancePaymentId }, [
        { account: 'remittance_suspense', amountCents: 500 },
        { account: 'contractual_writeoff', amountCents: -500, treatmentId: s.treatmentId, patientId: s.insuredPatientId },
      ]);
      plantedId = id;
      return undo;
    });
    const suspense = named(problems, 'remittance_suspense', plantedId);
    expect(suspense).toHaveLength(1);
    expect(suspense[0]!.detail).toMatch(/^suspense holds \$0\.00 but its open exceptions paid \$5\.00/);
  });

  it('a remittance whose cash is not BPR02', async () => {
    const s = await setup();
    let plantedId = '';
    const problems = await planted(async () => {
      const { id, undo } = await insertEntry({ kind: 'remittance', sourceType: 'remittance_payment', sourceId: s.remittancePaymentId }, [
        { account: 'cash_clearing', amountCents: 100 },
        { account: 'provider_adjustment', amountCents: -100 },
      ]);
      plantedId = id;
      return undo;
    });
    const cash = named(problems, 'remittance_cash', plantedId);
    expect(cash).toHaveLength(1);
    expect(cash[0]!.detail).toMatch(/^cash posted \$104\.00/);
    expect(named(problems, 'provider_adjustment', plantedId)).toHaveLength(1);

    // The other way round: the journal agrees with its claims, but the payer's BPR02 says otherwise.
    const bpr = await planted(async () => {
      await db().updateTable('remittancePayments').set({ paymentCents: 10_400 }).where('id', '=', s.remittancePaymentId).execute();
      return async () => {
        await db().updateTable('remittancePayments').set({ paymentCents: 10_300 }).where('id', '=', s.remittancePaymentId).execute();
      };
    });
    expect(bpr.map((p) => [p.check, p.detail.slice(0, 40)])).toEqual([['remittance_cash', 'cash posted $103.00 but BPR02 is $104.00']]);
  });

  it('cached totals off', async () => {
    const s = await setup();
    const refunded = await planted(async () => {
      await db().updateTable('payments').set({ refundedCents: 2_000 }).where('id', '=', s.cashPaymentId).execute();
      return async () => {
        await db().updateTable('payments').set({ refundedCents: 1_000 }).where('id', '=', s.cashPaymentId).execute();
      };
    });
    expect(refunded.map((p) => p.check)).toEqual(expect.arrayContaining(['payment_refunded', 'payment_balances']));
    expect(refunded.every((p) => p.entity === s.cashPaymentNumber)).toBe(true);
    const applied = await planted(async () => {
      await db().updateTable('treatments').set({ appliedCents: 1 }).where('id', '=', s.treatmentId).execute();
      return async () => {
        await db().updateTable('treatments').set({ appliedCents: 0 }).where('id', '=', s.treatmentId).execute();
      };
    });
    expect(applied.map((p) => [p.check, p.entity.startsWith(`treatment ${s.treatmentId}`)])).toEqual([['treatment_applied', true]]);
  });

  it('the same record posted twice, and a remittance line for a treatment not in that remittance', async () => {
    const s = await setup();
    const refund = await db().selectFrom('journalEntries').selectAll().where('id', '=', s.refundEntryId).executeTakeFirstOrThrow();
    const refundLines = await db().selectFrom('journalLines').selectAll().where('entryId', '=', s.refundEntryId).execute();
    const twice = await insertEntry(
      { kind: refund.kind, sourceType: refund.sourceType, sourceId: refund.sourceId, paymentId: refund.paymentId },
      refundLines.map((l) => ({ account: l.account, amountCents: Number(l.amountCents), patientId: l.patientId ?? undefined, paymentId: l.paymentId ?? undefined })),
    );
    const problems = await verifyLedger(db());
    await twice.undo();
    expect(problems.filter((p) => p.check === 'entry_duplicate').map((p) => p.detail)).toEqual([expect.stringContaining(`is posted 2 times as refund`)]);
    expect(named(problems, 'cash_clearing', s.cashPaymentNumber)).toHaveLength(1);

    const stray = await planted(async () => {
      const other = await insertEntry({ kind: 'remittance', sourceType: 'remittance_payment', sourceId: s.remittancePaymentId }, [
        { account: 'patient_receivable', amountCents: 300, treatmentId: s.unbilledTreatmentId, patientId: s.insuredPatientId },
        { account: 'insurance_receivable', amountCents: -300, treatmentId: s.unbilledTreatmentId, patientId: s.insuredPatientId },
      ]);
      return other.undo;
    });
    const strayLines = stray.filter((p) => p.check === 'entry_lines').map((p) => p.detail);
    expect(strayLines).toHaveLength(2);
    expect(strayLines).toEqual(
      expect.arrayContaining([
        `$3.00 on patient_receivable for treatment ${s.unbilledTreatmentId} is explained by no claim of its remittance payment`,
        `-$3.00 on insurance_receivable for treatment ${s.unbilledTreatmentId} is explained by no claim of its remittance payment`,
      ]),
    );
    expect(named(stray, 'insurance_receivable', s.unbilledTreatmentId)[0]?.detail).toContain("insurance receivable is $57.00; billed − paid − adjusted − passed on says $60.00");
  });
});

async function buildScenario(t: TestApp) {
  const db = t.database.handle.db;
  const location = await makeLocation(t);
  const insured = await makePatient(t);
  json(await t.request('PUT', `/api/v1/patients/${insured.id}/coverages`, { body: [{ ...A, memberId: `M${insured.id.slice(-6)}`, order: 1 }] }), 200);
  const treatment = json(
    await t.request('POST', '/api/v1/treatments', { body: { patientId: insured.id, locationId: location.id, serviceDate: '2026-03-02', physician: 'Dr. Osei', lines: [{ cpt: '99213', chargeCents: 15_000 }] } }),
    201,
  );
  const claim = json(await t.request('POST', `/api/v1/treatments/${treatment.id}/claims`, { as: t.biller }), 201);
  const era = build835([
    {
      ...A,
      traceNumber: 'VERIFY-0001',
      paymentDate: '2026-03-20',
      claims: [
        { controlNumber: claim.controlNumber, status: '1', chargeCents: 15_000, paidCents: 10_000, patientResponsibilityCents: 2_000, adjustments: [{ group: 'CO', reason: '45', amountCents: 3_000 }, { group: 'PR', reason: '2', amountCents: 2_000 }] },
        { controlNumber: 'PLNOTOURS0001', status: '1', chargeCents: 800, paidCents: 500, adjustments: [{ group: 'CO', reason: '45', amountCents: 300 }] },
      ],
      plb: [{ reason: 'WO', reference: 'OVERPAY1', amountCents: 200 }],
    },
  ]);
  const imported = json(await t.request('POST', '/api/v1/remittances', { as: t.biller, body: era, headers: { 'content-type': 'text/plain' } }), 201);
  expect(imported).toMatchObject({ claimCount: 2, postedCount: 1 });
  expect(imported.exceptions).toHaveLength(1);

  const cashPatient = await makePatient(t);
  // A second insured visit, not yet billed: its charge waits in insurance receivable.
  const unbilled = json(
    await t.request('POST', '/api/v1/treatments', { body: { patientId: insured.id, locationId: location.id, serviceDate: '2026-03-10', physician: 'Dr. Osei', lines: [{ cpt: '99212', chargeCents: 6_000 }] } }),
    201,
  );
  const payment = await makePayment(t, cashPatient.id, { amountCents: 5_000, method: 'cash', status: 'paid', paidDate: '2026-03-03' });
  json(await t.request('POST', `/api/v1/payments/${payment.id}/refunds`, { as: t.biller, body: { amountCents: 1_000, reason: 'patient_request' } }), 201);

  const remittancePayment = await db.selectFrom('remittancePayments').selectAll().where('traceNumber', '=', 'VERIFY-0001').executeTakeFirstOrThrow();
  const claimEntry = await db
    .selectFrom('journalEntries')
    .innerJoin('journalLines', 'journalLines.entryId', 'journalEntries.id')
    .select('journalEntries.id')
    .where('journalEntries.sourceId', '=', remittancePayment.id)
    .where('journalLines.account', '=', 'contractual_writeoff')
    .executeTakeFirstOrThrow();
  const refundEntry = await db.selectFrom('journalEntries').select('id').where('kind', '=', 'refund').where('paymentId', '=', payment.id).executeTakeFirstOrThrow();
  return {
    practiceId: t.admin.actor.practiceId,
    insuredPatientId: insured.id as string,
    treatmentId: treatment.id as string,
    claimControlNumber: claim.controlNumber as string,
    remittancePaymentId: remittancePayment.id,
    claimEntryId: claimEntry.id,
    cashPatientId: cashPatient.id as string,
    cashPaymentId: payment.id as string,
    cashPaymentNumber: payment.number as string,
    unbilledTreatmentId: unbilled.id as string,
    refundEntryId: refundEntry.id,
  };
}
