import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { inTransaction } from '../src/db/transaction.ts';
import { billNextPayer } from '../src/services/claims/claims.ts';
import { createLocation } from '../src/services/locations/locations.ts';
import { createPatient, setCoverages } from '../src/services/patients/patients.ts';
import { importRemittance } from '../src/services/remittance/import-remittance.ts';
import { createTreatment } from '../src/services/treatments/treatments.ts';
import { build835 } from '../src/x12/build-835.ts';
import { applyUnappliedFunds } from '../src/services/applications/apply-unapplied-funds.ts';
import { refundableUnappliedFunds } from '../src/services/tasks/refundable-unapplied-funds.ts';
import { runRefundReview } from '../src/services/tasks/run-refund-review.ts';
import { makePatient, makePayment, makeSelfPayTreatment } from './helpers/factories.ts';
import { makeReviewCase } from './helpers/review-cases.ts';
import { statementsOf } from './helpers/statement-counter.ts';
import { useTestApp } from './helpers/test-app.ts';

/**
 * SQLite plans without statistics (nothing runs ANALYZE), so an index that
 * merely matches as many columns as a better one can win. These are the
 * per-patient reads every posting makes: each must reach the patient's rows
 * through the patient index, never walk a practice-wide list index (issue 12:
 * a 10,000-claim 835 at 1,000,000 payments took over twenty minutes that way).
 */
describe('per-patient payment reads use the patient index (SQLite plans)', () => {
  const prepared: string[] = [];
  const prepare = SQLite.prototype.prepare;
  const spy = vi.spyOn(SQLite.prototype, 'prepare').mockImplementation(function (this: SQLite.Database, source: string) {
    prepared.push(source);
    return prepare.call(this, source) as SQLite.Statement;
  });
  afterAll(() => spy.mockRestore());
  const t = useTestApp('sqlite');

  it("unapplied funds, refundable funds and the refund review read patients' payments by (practice, patient, status)", async () => {
    // A payment received while a self-pay visit is open (applied at once), another visit opened after it (the
    // rest applied to it), the rest refundable, then a review: every per-patient read of payments runs.
    const patient = await makePatient(t);
    await makeSelfPayTreatment(t, patient.id, 1000, '2026-03-02');
    const payment = await makePayment(t, patient.id, { amountCents: 2500, method: 'cash', status: 'paid', paidDate: '2026-03-02' });
    await makeSelfPayTreatment(t, patient.id, 500, '2026-03-09');
    const db = t.database.handle.db;
    const actor = t.biller.actor;
    await inTransaction(db, (trx) => applyUnappliedFunds(trx, actor, patient.id, null));
    expect(await refundableUnappliedFunds(db, actor, patient.id)).toEqual([expect.objectContaining({ paymentId: payment.id, unappliedCents: 1000 })]);
    await runRefundReview(db, actor, { asOf: '2026-06-01' });

    const patientPaymentReads = prepared.filter((s) => /from "payments"/.test(s) && /"payments"\."patient_id" (= \?|in \(|= "claims"\."patient_id")/.test(s));
    // Unapplied funds (for one payment, and for all), refundable funds, the review's candidates.
    expect(patientPaymentReads.length).toBeGreaterThanOrEqual(4);
    const file = t.database.handle.file!;
    const sqlite = new SQLite(file, { readonly: true });
    try {
      for (const source of patientPaymentReads) {
        const nulls = Array.from({ length: (source.match(/\?/g) ?? []).length }, () => null);
        const plan = (prepare.call(sqlite, `explain query plan ${source}`) as SQLite.Statement).all(...nulls) as Array<{ detail: string }>;
        const payments = plan.map((p) => p.detail).find((d) => / payments /.test(d));
        // The patient's rows by the patient index, or one payment by its key.
        expect(payments, source).toMatch(/^SEARCH payments USING (COVERING )?INDEX (payments_patient_status \(practice_id=\? AND patient_id=\? AND status=\?\)|sqlite_autoindex_payments_1 \(id=\?\))/);
        // A sum of refundable funds (the review's, refundableCentsByPatient) reads the amounts from the index alone (ADR 0052).
        if (/sum\(payments\.amount_cents/.test(source)) {
          for (const d of plan.map((p) => p.detail).filter((d) => / payments /.test(d))) expect(d, source).toMatch(/^SEARCH payments USING COVERING INDEX payments_patient_status /);
        }
      }
    } finally {
      sqlite.close();
    }
  });

  it('the refund review reads a page in one statement, each case by the patient indexes, never walking the practice (ADR 0052)', async () => {
    // A case: a processed claim and a prepayment left over.
    const db = t.database.handle.db;
    const actor = t.biller.actor;
    const { patient } = await makeReviewCase(db, actor, { prepayCents: 2500 });
    // Every statement run, cached ones included (connect.ts keeps compiled statements by their text).
    const { result: review, statements: executed } = await statementsOf('sqlite', () => runRefundReview(db, actor, { asOf: '2026-06-01' }));
    expect(review.created).toEqual([expect.objectContaining({ patientId: patient.id, amountCents: 2500 })]);

    // One page, one read: the candidates with their facts (no patient rows: the transaction holds the write lock).
    const reads = executed.filter((s) => /^select/.test(s));
    expect(reads).toHaveLength(1);
    const sqlite = new SQLite(t.database.handle.file!, { readonly: true });
    try {
      const nulls = Array.from({ length: (reads[0]!.match(/\?/g) ?? []).length }, () => null);
      const plan = (prepare.call(sqlite, `explain query plan ${reads[0]!}`) as SQLite.Statement).all(...nulls) as Array<{ detail: string }>;
      const searches = plan.map((p) => p.detail).filter((d) => !/SUBQUERY/.test(d));
      // The claims in patient order from the patient's index; each fact from the patient's own rows
      // (the treatment of a payment by its key); the (practice, name) or list indexes would walk the practice.
      expect(searches[0]).toBe('SEARCH claims USING INDEX claims_patient (practice_id=? AND patient_id>?)');
      for (const d of searches.slice(1)) expect(d).toMatch(/^SEARCH (payments|tasks|treatments) USING (COVERING )?INDEX (payments_patient_status|tasks_patient|treatments_patient) \(practice_id=\? AND patient_id=\?|^SEARCH treatments USING INDEX sqlite_autoindex_treatments_1 \(id=\?\) LEFT-JOIN$/);
      expect(searches.filter((d) => /COVERING INDEX payments_patient_status/.test(d))).toHaveLength(2);
    } finally {
      sqlite.close();
    }
  });

  it("an 835 set takes its claims by their key: the set's one update never walks the practice's claims", async () => {
    const db = t.database.handle.db;
    const actor = t.biller.actor;
    const patient = await createPatient(db, actor, { firstName: 'Plan', lastName: 'Take', dateOfBirth: '1970-01-01' });
    await setCoverages(db, actor, patient.id, [{ payerName: 'Payer A', payerId: 'PA001', memberId: 'PT-1', order: 1 }]);
    const location = await createLocation(db, actor, { name: 'Plan clinic' });
    const visit = await createTreatment(db, actor, { patientId: patient.id, locationId: location.id, serviceDate: '2026-03-02', physician: 'Dr. Plan', lines: [{ cpt: '99213', chargeCents: 15000 }] });
    const claim = await billNextPayer(db, actor, visit.id);
    prepared.length = 0;
    const file = build835([{ payerName: 'Payer A', payerId: 'PA001', traceNumber: 'PLAN-1', paymentDate: '2026-03-20', claims: [{ controlNumber: claim.controlNumber, status: '1', chargeCents: 15000, paidCents: 12000, adjustments: [{ group: 'CO', reason: '45', amountCents: 3000 }] }] }]);
    expect((await importRemittance(db, actor, file)).postedCount).toBe(1);

    const takes = prepared.filter((s) => /^\s*with taken /.test(s));
    expect(takes).toHaveLength(1);
    const sqlite = new SQLite(t.database.handle.file!, { readonly: true });
    try {
      // The statement of a full chunk (500 claims).
      const row = /as \(values (.*)\)\s+update claims /s.exec(takes[0]!)![1]!;
      const source = takes[0]!.replace(row, Array.from({ length: 500 }, () => row).join(', '));
      const nulls = Array.from({ length: (source.match(/\?/g) ?? []).length }, () => null);
      const plan = (prepare.call(sqlite, `explain query plan ${source}`) as SQLite.Statement).all(...nulls) as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail).filter((d) => / claims /.test(d))).toEqual(['SEARCH claims USING INDEX sqlite_autoindex_claims_1 (id=?)']);
    } finally {
      sqlite.close();
    }
  });
});
