import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { requirePatient } from '../patients/patients.ts';
import { toEligibilityCheck } from './eligibility-check-view.ts';

/** A patient's eligibility checks, newest first, rejected ones included (shown as such). */
export async function listEligibilityChecks(db: Db, actor: Actor, patientId: string, page: { page: number; pageSize: number }) {
  await requirePatient(db, actor, patientId);
  const base = db.selectFrom('eligibilityChecks').where('practiceId', '=', actor.practiceId).where('patientId', '=', patientId);
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(page.pageSize)
      .offset((page.page - 1) * page.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toEligibilityCheck), total: Number(count.n), page: page.page, pageSize: page.pageSize };
}
