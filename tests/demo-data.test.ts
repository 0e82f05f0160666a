import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOverdue } from '../src/domain/payments/overdue.ts';
import type { Actor } from '../src/services/actor.ts';
import { ensureDemoPractice } from '../src/services/demo/seed-demo-data.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { practiceDate } from '../src/services/practices/practice-settings.ts';
import { getTreatment } from '../src/services/treatments/treatments.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';

describe.each(dialects)('demo data on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('asks for no payment on a visit that owes nothing, and verifies clean', async () => {
    const db = database.handle.db;
    const { practiceId } = await ensureDemoPractice(db);
    const actor: Actor = { practiceId, kind: 'system', id: 'test', name: 'Test', role: 'admin' };
    const today = await practiceDate(db, practiceId);
    const asked = await db
      .selectFrom('payments')
      .select(['id', 'status', 'dueDate', 'treatmentId'])
      .where('practiceId', '=', practiceId)
      .where('treatmentId', 'is not', null)
      .where('status', 'in', ['draft', 'pending', 'processing', 'failed'])
      .execute();
    for (const payment of asked) {
      const visit = await getTreatment(db, actor, payment.treatmentId!);
      if (payment.status !== 'processing') expect(visit.balanceCents, `payment ${payment.id}`).toBeGreaterThan(0);
      if (isOverdue(payment.status, payment.dueDate, today)) {
        expect(visit.balanceCents, `overdue payment ${payment.id}`).toBeGreaterThan(0);
      }
    }
    // The demo still shows some requests (it is a demo), just honest ones.
    expect(asked.length).toBeGreaterThan(0);
    expect(await verifyLedger(db)).toEqual([]);
  }, 240_000);
});
