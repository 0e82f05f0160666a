import { sql, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { ListPaymentsQuery } from '../../contracts/payments.ts';
import { arraySlices } from '../../db/connect.ts';
import type { Database } from '../../db/database.ts';
import type { Db } from '../../db/transaction.ts';
import type { PaymentMethod, PaymentStatus, PaymentType } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';
import { countPayments, filtered, isSqlite, searchesNames, searchPlan, sortValue } from './list-payments.ts';
import { overApplied } from './over-applied-payments.ts';

// A query of the payments table that selects nothing yet.
type PaymentsQuery = SelectQueryBuilder<Database, 'payments', {}>;

/**
 * What a payment's CSV row is made of (SPEC 12's columns), as the database
 * gives it: one array a row, in this order, with no object built for it.
 */
export type PaymentCsvRow = readonly [
  number: number,
  status: PaymentStatus,
  firstName: string,
  lastName: string,
  locationName: string | null,
  amountCents: number,
  refundedCents: number,
  appliedCents: number,
  type: PaymentType,
  method: PaymentMethod | null,
  checkNumber: string | null,
  dueDate: string | null,
  paidDate: string | null,
  createdAt: string,
  memo: string | null,
];

/**
 * Rows per slice. A slice is read at once (synchronously on SQLite), so this bounds how long other requests wait
 * behind an export (a few milliseconds); 250 to 4,000 rows measured the same on PostgreSQL (ADR 0048).
 */
export const paymentCsvSlice = 1000;

/**
 * Every payment of the list's filter, in the list's order (the same filter, sort and search plan as
 * GET /payments), as slices of CSV rows.
 */
export async function* paymentCsvSlices(db: Db, actor: Actor, query: ListPaymentsQuery, size = paymentCsvSlice): AsyncGenerator<PaymentCsvRow[]> {
  const plan = isSqlite(db) && searchesNames(query) ? await searchPlan(db, actor, await countPayments(db, actor, query), size) : 'walk';
  const value = sortValue(query.sort);
  // As pageOfPayments: with the 'sort' plan the unary + keeps SQLite off the sort's index (ADR 0030).
  yield* csvSlices(db, actor, filtered(db, actor, query), plan === 'sort' ? sql<string | number>`+${value}` : value, query.order, size);
}

/** The over-applied work list (overAppliedPayments' filter and order) as slices of CSV rows. */
export async function* overAppliedCsvSlices(db: Db, actor: Actor, size = paymentCsvSlice): AsyncGenerator<PaymentCsvRow[]> {
  yield* csvSlices(db, actor, overApplied(db, actor), sql.ref<string>('payments.updatedAt'), 'desc', size);
}

/**
 * The CSV rows of `payments` in (value, number) order, a slice at a time: one query for the whole export, reading
 * only the CSV's columns, as arrays (the location's id, given its name from a map).
 */
async function* csvSlices(db: Db, actor: Actor, payments: PaymentsQuery, value: RawBuilder<string | number>, order: 'asc' | 'desc', size: number): AsyncGenerator<PaymentCsvRow[]> {
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
    .orderBy('payments.number', order);
  // The practice's few locations by id, read once: cheaper than a join a row.
  const locations = new Map((await db.selectFrom('locations').select(['id', 'name']).where('practiceId', '=', actor.practiceId).execute()).map((l) => [l.id, l.name]));
  for await (const slice of arraySlices(db, rows.compile(), size)) {
    for (const row of slice) row[4] = row[4] === null ? null : (locations.get(row[4] as string) ?? null);
    yield slice as unknown as PaymentCsvRow[];
  }
}
