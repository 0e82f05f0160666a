import { describe, expect, it } from 'vitest';
import { inTransaction, type Trx } from '../src/db/transaction.ts';
import { AppError } from '../src/domain/errors.ts';
import { createLocation } from '../src/services/locations/locations.ts';
import { createPatient } from '../src/services/patients/patients.ts';
import type { PaymentProcessor, RefundInput } from '../src/services/processors/payment-processor.ts';
import { SandboxProcessor, sandboxCards } from '../src/services/processors/sandbox-processor.ts';
import { makeCardPayment, makePatient } from './helpers/factories.ts';
import { json, useTestApp } from './helpers/test-app.ts';
import { dialects } from './helpers/test-database.ts';
import { statementsOf } from './helpers/statement-counter.ts';

/** The sandbox, remembering the processor idempotency key of every refund asked for. */
class RecordingProcessor implements PaymentProcessor {
  readonly name = 'sandbox' as const;
  readonly refundKeys: string[] = [];
  constructor(private readonly real = new SandboxProcessor({ timeoutMs: 10 })) {}
  charge = (input: Parameters<PaymentProcessor['charge']>[0]) => this.real.charge(input);
  findCharge = (input: Parameters<PaymentProcessor['findCharge']>[0]) => this.real.findCharge(input);
  payoutItems = (payoutId: string) => this.real.payoutItems(payoutId);
  refund(input: RefundInput) {
    this.refundKeys.push(input.idempotencyKey);
    return this.real.refund(input);
  }
}

describe.each(dialects)('the transaction helper on %s', (dialect) => {
  const t = useTestApp(dialect);
  const names = async (prefix: string) =>
    (await t.database.handle.db.selectFrom('locations').select('name').where('name', 'like', `${prefix}%`).orderBy('name').execute()).map((r) => r.name);

  it('undoes a failed nested call alone (a savepoint) and lets the outer transaction go on and commit', async () => {
    const db = t.database.handle.db;
    const actor = t.biller.actor;
    await createPatient(db, actor, { firstName: 'Sam', lastName: 'Taken', dateOfBirth: '1970-01-01', accountId: `SP-${dialect}` });
    await inTransaction(db, async (trx) => {
      await createLocation(trx, actor, { name: 'Nest A outer' });
      // A real SQL error inside: on PostgreSQL, without a savepoint, it would abort the whole transaction.
      const failed = inTransaction(trx, async (inner) => {
        await createLocation(inner, actor, { name: 'Nest B inner' });
        await createPatient(inner, actor, { firstName: 'Sam', lastName: 'Again', dateOfBirth: '1970-01-01', accountId: `SP-${dialect}` });
      });
      await expect(failed).rejects.toMatchObject({ code: 'conflict', status: 409 });
      await createLocation(trx, actor, { name: 'Nest C outer' });
    });
    expect(await names('Nest ')).toEqual(['Nest A outer', 'Nest C outer']);
    const patients = await db.selectFrom('patients').select('lastName').where('accountId', '=', `SP-${dialect}`).execute();
    expect(patients.map((p) => p.lastName)).toEqual(['Taken']);
  });

  it('rolls back a released savepoint with its outer transaction', async () => {
    const db = t.database.handle.db;
    await expect(
      inTransaction(db, async (trx) => {
        await inTransaction(trx, (inner) => createLocation(inner, t.biller.actor, { name: 'Gone inner' }));
        await createLocation(trx, t.biller.actor, { name: 'Gone outer' });
        throw new AppError('business_rule', 'changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await names('Gone ')).toEqual([]);
  });

  it('joins the one step of undivided work without a savepoint, keeps savepoints deeper, and commits nothing of work that carried on after a joined step failed', async () => {
    const db = t.database.handle.db;
    const actor = t.biller.actor;
    // The work calls one service (createLocation), which opens its own nested transaction.
    const work = (name: string) => (trx: Trx) => inTransaction(trx, (step) => createLocation(step, actor, { name }));
    const savepoints = (statements: string[]) => statements.filter((s) => /^savepoint\b/i.test(s.trim())).length;
    const divided = await statementsOf(dialect, () => inTransaction(db, work('Whole A')));
    const undivided = await statementsOf(dialect, () => inTransaction(db, work('Whole B'), { undivided: true }));
    // One pair fewer: the step joined; createLocation's own nested call inside it still took its savepoint.
    expect(savepoints(undivided.statements)).toBe(savepoints(divided.statements) - 1);
    expect(savepoints(undivided.statements)).toBeGreaterThan(0);

    await expect(
      inTransaction(
        db,
        async (trx) => {
          const failed = inTransaction(trx, async (step) => {
            await createLocation(step, actor, { name: 'Whole C half done' });
            throw new AppError('business_rule', 'half done');
          });
          await expect(failed).rejects.toThrow('half done');
          // Carrying on is refused at the end: without a savepoint the half-done step could not be undone alone.
          await createLocation(trx, actor, { name: 'Whole D carried on' });
        },
        { undivided: true },
      ),
    ).rejects.toThrow('half done');
    expect(await names('Whole ')).toEqual(['Whole A', 'Whole B']);
  });
});

describe.each(dialects)('a card refund retried after a processor time-out on %s', (dialect) => {
  const processor = new RecordingProcessor();
  const t = useTestApp(dialect, {}, { processor });

  it('asks the processor again with the same processor key, with and without an Idempotency-Key, and moves nothing', async () => {
    const patient = await makePatient(t);
    const payment = await makeCardPayment(t, patient.id, 6000, sandboxCards.refundTimeout);
    const refund = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      t.request('POST', `/api/v1/payments/${payment.id}/refunds`, { body: { reason: 'patient_request', ...body }, headers });

    processor.refundKeys.length = 0;
    const keyed = { 'idempotency-key': `timeout-${dialect}` };
    expect(json(await refund({ amountCents: 1000 }, keyed), 503).code).toBe('processor_unavailable');
    expect(json(await refund({ amountCents: 1000 }, keyed), 503).code).toBe('processor_unavailable');
    expect(processor.refundKeys).toHaveLength(2);
    expect(processor.refundKeys[1]).toBe(processor.refundKeys[0]);

    // Without a key: the timed-out refund's processor key is handed to the next attempt at the same refund.
    expect(json(await refund({ amountCents: 2000 }), 503).code).toBe('processor_unavailable');
    expect(json(await refund({ amountCents: 2000 }), 503).code).toBe('processor_unavailable');
    expect(processor.refundKeys).toHaveLength(4);
    expect(processor.refundKeys[3]).toBe(processor.refundKeys[2]);
    expect(processor.refundKeys[2]).not.toBe(processor.refundKeys[0]);

    const after = json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200);
    expect(after).toMatchObject({ status: 'paid', refundedCents: 0, billing: { netAmountCents: 6000 } });
    const rows = await t.database.handle.db.selectFrom('payments').select('refundingCents').where('id', '=', payment.id).executeTakeFirstOrThrow();
    expect(Number(rows.refundingCents)).toBe(0);
    await t.expectLedgerBalances();
  });
});
