import { sql, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { ListPaymentsQuery } from '../../contracts/payments.ts';
import { sliceSourceOf } from '../../db/connect.ts';
import type { Database } from '../../db/database.ts';
import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { countPayments, filtered, isSqlite, searchesNames, searchPlan, sortValue } from './list-payments.ts';
import { overApplied } from './over-applied-payments.ts';
import { paymentCsvRows, paymentCsvSlice, type PaymentCsvRead, type PaymentCsvRow } from './payment-csv-rows.ts';

// A query of the payments table that selects nothing yet.
type PaymentsQuery = SelectQueryBuilder<Database, 'payments', {}>;

/**
 * Every payment of the list's filter, in the list's order (the same filter, sort and search plan as
 * GET /payments): the export's read, to be run by paymentCsvRows (on the export thread, or here).
 */
export async function paymentCsvRead(db: Db, actor: Actor, query: ListPaymentsQuery): Promise<PaymentCsvRead> {
  const plan = isSqlite(db) && searchesNames(query) ? await searchPlan(db, actor, await countPayments(db, actor, query), paymentCsvSlice) : 'walk';
  const value = sortValue(query.sort);
  // As pageOfPayments: with the 'sort' plan the unary + keeps SQLite off the sort's index (ADR 0030).
  return csvRead(db, actor, filtered(db, actor, query), plan === 'sort' ? sql<string | number>`+${value}` : value, query.order);
}

/** The over-applied work list (overAppliedPayments' filter and order): the export's read. */
export function overAppliedCsvRead(db: Db, actor: Actor): Promise<PaymentCsvRead> {
  return csvRead(db, actor, overApplied(db, actor), sql.ref<string>('payments.updatedAt'), 'desc');
}

/** The payments of the list's filter as slices of CSV rows, read in this thread (paymentCsvRead, paymentCsvRows). */
export async function* paymentCsvSlices(db: Db, actor: Actor, query: ListPaymentsQuery, size = paymentCsvSlice): AsyncGenerator<PaymentCsvRow[]> {
  yield* paymentCsvRows(await paymentCsvRead(db, actor, query), size);
}

/**
 * The read of `payments`' CSV rows in (value, number) order: one query for the whole export, reading only the
 * CSV's columns (as arrays: the location's id, given its name from the practice's few locations, read once —
 * cheaper than a join a row).
 */
async function csvRead(db: Db, actor: Actor, payments: PaymentsQuery, value: RawBuilder<string | number>, order: 'asc' | 'desc'): Promise<PaymentCsvRead> {
  const source = sliceSourceOf(db);
  if (!source) throw new Error('a CSV export reads on a connection of its own: pass the database, not a transaction');
  const rows = payments
    .leftJoin('patients', 'patients.id', 'payments.patientId')
    .select([
      'payments.number',
      'payments.status',
      'patients.firstName',
      'patients.lastName',
      'payments.locationId',
      'payments.amountCents',
      'payments.refundedCents',
      'payments.appliedCents',
      'payments.type',
      'payments.method',
      'payments.checkNumber',
      'payments.dueDate',
      'payments.paidDate',
      'payments.createdAt',
      'payments.memo',
    ])
    .orderBy(value, order)
    .orderBy('payments.number', order)
    .compile();
  const locations = await db.selectFrom('locations').select(['id', 'name']).where('practiceId', '=', actor.practiceId).execute();
  return { source, query: { sql: rows.sql, parameters: rows.parameters }, locations: locations.map((l): [string, string] => [l.id, l.name]) };
}
