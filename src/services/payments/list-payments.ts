import { sql } from 'kysely';
import type { ListPaymentsQuery } from '../../contracts/payments.ts';
import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { escapeLike } from '../patients/patients.ts';
import { paymentNumberRanges } from '../../domain/payments/payment-number-search.ts';
import { pageWithTotal } from '../whole-list.ts';
import { toPayment } from './payment-views.ts';
import { practiceDate } from '../practices/practice-settings.ts';

const sortColumns = {
  createdAt: 'payments.createdAt',
  amount: 'payments.amountCents',
  dueDate: 'payments.dueDate',
  status: 'payments.status',
  patientName: 'payments.patientName',
} as const;

/** Builds the filtered query shared by the list, its count and the CSV export. */
function filtered(db: Db, actor: Actor, query: Omit<ListPaymentsQuery, 'page' | 'pageSize' | 'sort' | 'order'>) {
  let q = db.selectFrom('payments').where('payments.practiceId', '=', actor.practiceId);
  if (query.status?.length) q = q.where('payments.status', 'in', query.status);
  if (query.locationId) q = q.where('payments.locationId', '=', query.locationId);
  if (query.patientId) q = q.where('payments.patientId', '=', query.patientId);
  const search = query.search?.trim().toLowerCase();
  if (search) {
    // A payment number is matched as a prefix of its shown form (SPEC 3), as integer ranges on the
    // indexed number column; any other text searches the patient's name, word by word.
    const ranges = paymentNumberRanges(search);
    if (ranges === 'all') return q; // "pay" / "pay-": every payment number starts with it.
    if (ranges) {
      q = q.where((eb) =>
        eb.or(ranges.map(([low, high]) => eb.and([eb('payments.number', '>=', low), eb('payments.number', '<=', high)]))),
      );
    } else {
      const words = search.split(/[\s,]+/).filter(Boolean);
      for (const word of words) {
        q = q.where('payments.patientName', 'like', sql<string>`${`%${escapeLike(word)}%`} escape '\\'`);
      }
    }
  }
  return q;
}

/** One page of the filtered, sorted list, without counting the whole filter. */
async function pageOfPayments(db: Db, actor: Actor, query: ListPaymentsQuery, publicUrl: string) {
  const column = sortColumns[query.sort];
  const rows = await filtered(db, actor, query)
    .leftJoin('patients', 'patients.id', 'payments.patientId')
    .leftJoin('locations', 'locations.id', 'payments.locationId')
    .selectAll('payments')
    .select(['patients.firstName', 'patients.lastName', 'locations.name as locationName'])
    .orderBy(column, query.order)
    .orderBy('payments.number', query.order)
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize)
    .execute();
  const today = await practiceDate(db, actor.practiceId);
  return rows.map(({ firstName, lastName, locationName, ...row }) =>
    toPayment(row, { patientName: `${firstName} ${lastName}`, locationName: locationName ?? null, today }, publicUrl),
  );
}

export async function listPayments(db: Db, actor: Actor, query: ListPaymentsQuery, publicUrl: string) {
  return pageWithTotal(
    query,
    (page) => pageOfPayments(db, actor, { ...query, page }, publicUrl),
    async () => Number((await filtered(db, actor, query).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
  );
}

/** Every payment matching the filter, in the list's order, a page at a time: the CSV export streams these. */
export async function* allPayments(db: Db, actor: Actor, query: ListPaymentsQuery, publicUrl: string) {
  const pageSize = 500;
  for (let page = 1; ; page++) {
    const items = await pageOfPayments(db, actor, { ...query, page, pageSize }, publicUrl);
    yield* items;
    if (items.length < pageSize) return;
  }
}
