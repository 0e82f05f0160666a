import { calendarDatesIn } from '../domain/calendar/practice-calendar.ts';
import { unappliedCentsOf } from '../domain/payments/billing-view.ts';
import { formatPaymentNumber } from '../domain/payments/payment-status.ts';
import type { PaymentCsvRow } from '../services/payments/payment-csv-rows.ts';
import { csvDate, dollars, type CsvColumn } from './csv.ts';

/** The CSV exports made of payments' rows: named, so that the export thread can be told which (csv-thread.ts). */
export type PaymentCsvColumnSet = 'payments' | 'over-applied';

/** The payments' columns (SPEC 12), read from the rows' arrays (payment-csv-rows.ts) without objects. */
function paymentColumns(timeZone: string): CsvColumn<PaymentCsvRow>[] {
  const day = calendarDatesIn(timeZone);
  return [
    { header: 'number', value: (p) => formatPaymentNumber(p[0]) },
    { header: 'status', value: (p) => p[1] },
    { header: 'patient', value: (p) => `${p[2]} ${p[3]}` },
    { header: 'location', value: (p) => p[4] },
    { header: 'amount', value: (p) => dollars(p[5]) },
    { header: 'refunded', value: (p) => dollars(p[6]) },
    { header: 'applied', value: (p) => dollars(p[7]) },
    { header: 'unapplied', value: (p) => dollars(unappliedCentsOf(p[1], p[5], p[6], p[7])) },
    { header: 'type', value: (p) => p[8] },
    { header: 'method', value: (p) => p[9] },
    { header: 'checkNumber', value: (p) => p[10] },
    { header: 'dueDate', value: (p) => csvDate(p[11]) },
    { header: 'paidDate', value: (p) => csvDate(p[12]) },
    { header: 'createdDate', value: (p) => (p[13] ? day(p[13]) : '') },
    { header: 'memo', value: (p) => p[14] },
  ];
}

/** A column set's columns on the practice's calendar; the over-applied list adds how much is over after `applied`. */
export function paymentCsvColumns(set: PaymentCsvColumnSet, timeZone: string): CsvColumn<PaymentCsvRow>[] {
  const columns = paymentColumns(timeZone);
  if (set === 'payments') return columns;
  const overApplied: CsvColumn<PaymentCsvRow> = { header: 'overApplied', value: (p) => dollars(p[7] - (p[5] - p[6])) };
  return [...columns.slice(0, 8), overApplied, ...columns.slice(8)];
}
