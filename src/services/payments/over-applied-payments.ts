import { sql } from 'kysely';
import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { toPayment } from './payment-views.ts';
import { practiceDate } from '../practices/practice-settings.ts';

/** The over-applied payments of the actor's practice: the work list's filter (its order: updated, newest first). */
export function overApplied(db: Db, actor: Actor) {
  return db
    .selectFrom('payments')
    .where('payments.practiceId', '=', actor.practiceId)
    .where('payments.status', 'in', ['paid', 'partially_refunded', 'refunded', 'disputed'])
    .where(sql<boolean>`payments.applied_cents > payments.amount_cents - payments.refunded_cents`);
}

/**
 * The over-applied work list: payments whose applications exceed what is
 * left of them after refunds (a refund never removes applications), until a
 * biller unapplies.
 */
export async function overAppliedPayments(db: Db, actor: Actor, query: { page: number; pageSize: number }, publicUrl: string) {
  const base = overApplied(db, actor);
  const rows = await base
    .innerJoin('patients', 'patients.id', 'payments.patientId')
    .leftJoin('locations', 'locations.id', 'payments.locationId')
    .selectAll('payments')
    .select(['patients.firstName', 'patients.lastName', 'locations.name as locationName'])
    .orderBy('payments.updatedAt', 'desc')
    .orderBy('payments.number', 'desc')
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize)
    .execute();
  const count = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const today = await practiceDate(db, actor.practiceId);
  return {
    items: rows.map(({ firstName, lastName, locationName, ...row }) =>
      toPayment(row, { patientName: `${firstName} ${lastName}`, locationName: locationName ?? null, today }, publicUrl),
    ),
    total: Number(count.n),
    page: query.page,
    pageSize: query.pageSize,
  };
}
