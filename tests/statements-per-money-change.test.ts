import { describe, expect, it } from 'vitest';
import { makePatient } from './helpers/factories.ts';
import { statementsOf } from './helpers/statement-counter.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp } from './helpers/test-app.ts';

/**
 * Issue 12 / ADR 0033: on PostgreSQL every statement is a round trip, and
 * the payment number's row lock is held from its update to the commit. The
 * counts are deterministic (the same request on a fresh practice); a change
 * that adds statements to these paths should say why, here and in the ADR.
 * PostgreSQL's last statement, after COMMIT, flushes the WAL once the locks
 * are gone (ADR 0041); what other payments of the practice wait for is the
 * window from the payment number's update to COMMIT.
 */
const limits = {
  postgres: { payment: 7, refund: 8 },
  // SQLite sends a transaction's writes one statement each (writeTogether), so ADR 0070's refund saves none there.
  sqlite: { payment: 14, refund: 14 },
};

describe.each(dialects)('statements per money change on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('a Paid cash payment and a cash refund of it, each with an Idempotency-Key, stay within their statement counts', async () => {
    const patient = await makePatient(t);
    // The token's "last used" write happens once a minute: done here, outside the counts.
    json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200);

    const paid = await statementsOf(dialect, () =>
      t.request('POST', '/api/v1/payments', { body: { patientId: patient.id, amountCents: 2500, method: 'cash', status: 'paid' }, headers: { 'idempotency-key': `count-pay-${dialect}` } }),
    );
    const payment = json(paid.result, 201);
    expect(payment).toMatchObject({ status: 'paid', amountCents: 2500, patientName: `${patient.firstName} ${patient.lastName}`, refundableCents: 2500 });

    const refunded = await statementsOf(dialect, () =>
      t.request('POST', `/api/v1/payments/${payment.id}/refunds`, { body: { amountCents: 1000, reason: 'patient_request' }, headers: { 'idempotency-key': `count-refund-${dialect}` } }),
    );
    expect(json(refunded.result, 201)).toMatchObject({ amountCents: 1000, status: 'succeeded', payment: { status: 'partially_refunded', refundedCents: 1000, refundableCents: 1500 } });

    expect(paid.statements.length, paid.statements.join('\n')).toBeLessThanOrEqual(limits[dialect].payment);
    expect(refunded.statements.length, refunded.statements.join('\n')).toBeLessThanOrEqual(limits[dialect].refund);
    if (dialect === 'postgres') {
      const numbered = paid.statements.findIndex((s) => s.includes('update "practices" set "payment_seq"'));
      const committed = paid.statements.indexOf('commit');
      // One statement takes the number, writes the payment and stores the key's answer (ADR 0064); then COMMIT.
      expect(committed - numbered, paid.statements.join('\n')).toBe(1);
      expect(paid.statements[numbered], paid.statements.join('\n')).toMatch(/^with taken \(number\) as \(update "practices" set "payment_seq".*insert into "payments".*update "idempotency_keys" set "state"/s);
      // The refund's last writes go with the key's answer, the statement before COMMIT (ADR 0070).
      const refundCommitted = refunded.statements.indexOf('commit');
      expect(refunded.statements[refundCommitted - 1], refunded.statements.join('\n')).toMatch(/^with w0 as \(insert into "refunds".*update "idempotency_keys" set "state"/s);
      for (const { statements } of [paid, refunded]) {
        // ADR 0041: committed without waiting for the flush, so the locks go at once; answered only after the flush.
        expect(statements.filter((s) => s.startsWith('begin'))).toEqual(['begin; set local synchronous_commit to off']);
        expect(statements.slice(statements.indexOf('commit') + 1)).toEqual(['select pg_current_xact_id()']);
      }
    }
    await t.expectLedgerBalances();
  });
});
