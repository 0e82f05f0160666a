import { pageWithTotal } from '../whole-list.ts';
import type { ClaimSummary, SearchClaimsQuery } from '../../contracts/remittance-work.ts';
import type { Db } from '../../db/transaction.ts';

/**
 * `GET /claims?search=`: the practice's claims by control number (prefix)
 * or patient name, newest visit first — what a biller picks from to match a
 * remittance exception.
 */
export async function searchClaims(db: Db, actor: { practiceId: string }, query: SearchClaimsQuery) {
  let q = db
    .selectFrom('claims as c')
    .innerJoin('treatments as t', 't.id', 'c.treatmentId')
    .innerJoin('patients as p', 'p.id', 'c.patientId')
    .where('c.practiceId', '=', actor.practiceId);
  if (query.status) q = q.where('c.status', '=', query.status);
  const search = query.search?.replaceAll('%', '').replaceAll('_', '');
  if (search) {
    const words = search.toLowerCase().split(/\s+/).filter(Boolean);
    q = q.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['c.controlNumber']), 'like', `${search.toLowerCase()}%`),
        eb.and(words.map((w) => eb.or([eb(eb.fn('lower', ['p.firstName']), 'like', `${w}%`), eb(eb.fn('lower', ['p.lastName']), 'like', `${w}%`)]))),
      ]),
    );
  }
  const page = await pageWithTotal(
    query,
    (n) =>
      q
        .select(['c.id', 'c.controlNumber', 'c.status', 'c.coverageOrder', 'c.payerName', 'c.billedCents', 'c.treatmentId', 't.serviceDate', 'c.patientId', 'p.firstName', 'p.lastName'])
        .orderBy('t.serviceDate', 'desc')
        .orderBy('c.createdAt', 'desc')
        .orderBy('c.id')
        .limit(query.pageSize)
        .offset((n - 1) * query.pageSize)
        .execute(),
    async () => Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
  );
  const rows = page.items;
  const items: ClaimSummary[] = rows.map((r) => ({
    id: r.id,
    controlNumber: r.controlNumber,
    status: r.status,
    coverageOrder: r.coverageOrder,
    payerName: r.payerName,
    billedCents: Number(r.billedCents),
    treatmentId: r.treatmentId,
    serviceDate: r.serviceDate,
    patientId: r.patientId,
    patientName: `${r.firstName} ${r.lastName}`,
  }));
  return { ...page, items };
}
