import { describe, expect, it } from 'vitest';
import { deferRow, flushDeferredRows, withDeferredRows } from '../src/db/deferred-rows.ts';
import { newId, nowIso } from '../src/db/ids.ts';
import { recordAudit } from '../src/db/repositories/audit.ts';
import { inTransaction, type Db, type Trx } from '../src/db/transaction.ts';
import { dialects } from './helpers/test-database.ts';
import { makePatient, makePayment, makeSelfPayTreatment } from './helpers/factories.ts';
import { useTestApp } from './helpers/test-app.ts';

/**
 * ADR 0037 / 0042: an 835 set queues its rows and writes them at its end; a
 * table may be written out early (before a step that reads it back); a
 * savepoint that rolls back drops exactly the rows it queued, written out or
 * not, and nothing queued before it.
 */
describe.each(dialects)('deferred rows on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('writes queued rows at the end; a rolled-back savepoint drops only its own, also those written out early', async () => {
    const db = t.database.handle.db;
    const actor = t.biller.actor;
    const patient = await makePatient(t);
    const visit = await makeSelfPayTreatment(t, patient.id, 1000);
    const payment = await makePayment(t, patient.id, { amountCents: 500, method: 'cash', status: 'paid' });
    const tag = newId();
    const audit = (trx: Trx, name: string) => recordAudit(trx, actor, { action: 'probe.deferred', entityType: 'probe', entityId: `${tag}:${name}` });
    const application = (trx: Trx, cents: number) => {
      const row = { id: newId(), practiceId: actor.practiceId, paymentId: payment.id, treatmentId: visit.id, patientId: patient.id, amountCents: cents, createdAt: nowIso(), createdBy: tag, removedAt: null, removedBy: null };
      expect(deferRow(trx, 'applications', row)).toBe(true);
    };
    // Read inside the transaction, which the test then rolls back: the probe's applications move no money.
    const written = async (trx: Db) => ({
      audits: (await trx.selectFrom('auditEvents').select('entityId').where('entityId', 'like', `${tag}:%`).orderBy('id').execute()).map((r) => r.entityId.slice(tag.length + 1)),
      applications: (await trx.selectFrom('applications').select('amountCents').where('treatmentId', '=', visit.id).where('createdBy', '=', tag).orderBy('id').execute()).map((r) => Number(r.amountCents)),
    });

    const probe = inTransaction(db, async (trx) => {
      await withDeferredRows(trx, async () => {
        await audit(trx, 'kept-1');
        await expect(
          inTransaction(trx, async (step) => {
            application(step, 101);
            await audit(step, 'dropped-1');
            // Written out inside the step: its rollback undoes them in the database.
            await flushDeferredRows(step, ['applications']);
            await audit(step, 'dropped-2');
            throw new Error('the step fails');
          }),
        ).rejects.toThrow('the step fails');
        application(trx, 202);
        await audit(trx, 'kept-2');
        await flushDeferredRows(trx, ['applications']);
        // Written out early, before the end: readable inside the transaction.
        expect(await trx.selectFrom('applications').select('amountCents').where('treatmentId', '=', visit.id).where('createdBy', '=', tag).execute()).toEqual([{ amountCents: 202 }]);
        await inTransaction(trx, async (step) => {
          application(step, 303);
          await audit(step, 'kept-3');
        });
        await audit(trx, 'kept-4');
        // Nothing but the early write reached the database yet.
        expect(await trx.selectFrom('auditEvents').select('id').where('entityId', 'like', `${tag}:%`).execute()).toEqual([]);
      });
      expect(await written(trx)).toEqual({ audits: ['kept-1', 'kept-2', 'kept-3', 'kept-4'], applications: [202, 303] });
      throw new Error('rolled back');
    });
    await expect(probe).rejects.toThrow('rolled back');
    expect(await written(db)).toEqual({ audits: [], applications: [] });
  });
});
