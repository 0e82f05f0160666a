import type { CreditSummary, ListCreditsQuery } from '../../contracts/lists.ts';
import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';

/** GET /credits: every credit lot of the practice, newest first, with the list's filters. */
export async function listPracticeCredits(db: Db, actor: Actor, query: ListCreditsQuery) {
  let base = db.selectFrom('credits').where('credits.practiceId', '=', actor.practiceId);
  if (query.patientId) base = base.where('credits.patientId', '=', query.patientId);
  if (query.source) base = base.where('credits.source', '=', query.source);
  if (query.available !== undefined) base = base.where('credits.remainingCents', query.available ? '>' : '=', 0);
  const [rows, count] = await Promise.all([
    base
      .innerJoin('patients', 'patients.id', 'credits.patientId')
      .selectAll('credits')
      .select(['patients.firstName', 'patients.lastName'])
      .orderBy('credits.createdAt', 'desc')
      .orderBy('credits.id', 'desc')
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const items: CreditSummary[] = rows.map((r) => ({
    id: r.id,
    patientId: r.patientId,
    patientName: `${r.firstName} ${r.lastName}`,
    amountCents: Number(r.amountCents),
    remainingCents: Number(r.remainingCents),
    source: r.source,
    reference: r.reference,
    description: r.description,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
  }));
  return { items, total: Number(count.n), page: query.page, pageSize: query.pageSize };
}
