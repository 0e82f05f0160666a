import { sql, type RawBuilder } from 'kysely';
import { calendarDatesIn } from '../domain/calendar/practice-calendar.ts';
import { unappliedCentsOf } from '../domain/payments/billing-view.ts';
import { collectedStatuses, formatPaymentNumber } from '../domain/payments/payment-status.ts';
import type { PaymentCsvRow } from '../services/payments/payment-csv-rows.ts';
import { csvDate, dollars, type CsvColumn } from './csv.ts';
import { csvDateSql, csvDaySql, dollarsSql, guardedSql } from './csv-sql.ts';

/** The CSV exports made of payments' rows: named, so that the export thread can be told which (csv-thread.ts). */
export type PaymentCsvColumnSet = 'payments' | 'over-applied';

/**
 * A payments column, made two ways that must agree byte for byte (tests/csv-copy.test.ts): `value` from a row's
 * array (SQLite, and the reference), `sql` as the PostgreSQL expression of its cell over the export's query
 * (payments, its patient, its location), for PostgreSQL to write the CSV itself (ADR 0066).
 */
export interface PaymentCsvColumn extends CsvColumn<PaymentCsvRow> {
  sql: RawBuilder<string | null>;
}

const ref = <T,>(column: string) => sql.ref<T>(column) as unknown as RawBuilder<T>;
const number = ref<number>('payments.number');
const status = ref<string>('payments.status');
const amount = ref<number>('payments.amountCents');
const refunded = ref<number>('payments.refundedCents');
const applied = ref<number>('payments.appliedCents');
/** net − applied (unappliedCentsOf): refunds never remove applications, and only collected money counts. */
const unapplied = sql<number>`case when ${status} in (${sql.join(collectedStatuses.map((s) => sql.lit(s)))}) then ${amount} - ${refunded} else 0 end - ${applied}`;

/** The payments' columns (SPEC 12), read from the rows' arrays (payment-csv-rows.ts) without objects. */
function paymentColumns(timeZone: string): PaymentCsvColumn[] {
  const day = calendarDatesIn(timeZone);
  const numberText = sql<string>`${number}::text`;
  return [
    // formatPaymentNumber: PAY- and the number, at least three digits (lpad alone would cut a longer one).
    { header: 'number', value: (p) => formatPaymentNumber(p[0]), sql: sql`'PAY-' || case when length(${numberText}) >= 3 then ${numberText} else lpad(${numberText}, 3, '0') end` },
    // Status, type and method are one of the domain's words (CHECK constraints): no cell of theirs needs care.
    { header: 'status', value: (p) => p[1], sql: status },
    { header: 'patient', value: (p) => `${p[2]} ${p[3]}`, sql: guardedSql(sql`${ref('patients.firstName')} || ' ' || ${ref('patients.lastName')}`) },
    { header: 'location', value: (p) => p[4], sql: guardedSql(ref('locations.name')) },
    { header: 'amount', value: (p) => dollars(p[5]), sql: dollarsSql(amount) },
    { header: 'refunded', value: (p) => dollars(p[6]), sql: dollarsSql(refunded) },
    { header: 'applied', value: (p) => dollars(p[7]), sql: dollarsSql(applied) },
    { header: 'unapplied', value: (p) => dollars(unappliedCentsOf(p[1], p[5], p[6], p[7])), sql: dollarsSql(unapplied) },
    { header: 'type', value: (p) => p[8], sql: ref('payments.type') },
    { header: 'method', value: (p) => p[9], sql: ref('payments.method') },
    { header: 'checkNumber', value: (p) => p[10], sql: guardedSql(ref('payments.checkNumber')) },
    { header: 'dueDate', value: (p) => csvDate(p[11]), sql: csvDateSql(ref('payments.dueDate')) },
    { header: 'paidDate', value: (p) => csvDate(p[12]), sql: csvDateSql(ref('payments.paidDate')) },
    { header: 'createdDate', value: (p) => (p[13] ? day(p[13]) : ''), sql: csvDaySql(ref('payments.createdAt'), timeZone) },
    { header: 'memo', value: (p) => p[14], sql: guardedSql(ref('payments.memo')) },
  ];
}

/** A column set's columns on the practice's calendar; the over-applied list adds how much is over after `applied`. */
export function paymentCsvColumns(set: PaymentCsvColumnSet, timeZone: string): PaymentCsvColumn[] {
  const columns = paymentColumns(timeZone);
  if (set === 'payments') return columns;
  const overApplied: PaymentCsvColumn = { header: 'overApplied', value: (p) => dollars(p[7] - (p[5] - p[6])), sql: dollarsSql(sql<number>`${applied} - (${amount} - ${refunded})`) };
  return [...columns.slice(0, 8), overApplied, ...columns.slice(8)];
}
