import { readSlices, type SliceQuery, type SliceSource } from '../../db/slice-readers.ts';
import type { PaymentMethod, PaymentStatus, PaymentType } from '../../domain/payments/payment-status.ts';

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
 * Rows per slice. A slice is read at once (synchronously on SQLite), so this bounds how long the export's thread
 * waits between chunks (a few milliseconds); 250 to 4,000 rows measured the same on PostgreSQL (ADR 0048).
 */
export const paymentCsvSlice = 1000;

/**
 * A payments export as plain data (it crosses to the export thread, ADR 0054): where to read, the one
 * SELECT of the CSV's columns in the export's order, and the practice's location names by id.
 */
export interface PaymentCsvRead {
  source: SliceSource;
  query: SliceQuery;
  locations: Array<[id: string, name: string]>;
}

/** The export's rows, a slice at a time, each with its location's name in place of its id. */
export async function* paymentCsvRows({ source, query, locations }: PaymentCsvRead, size = paymentCsvSlice): AsyncGenerator<PaymentCsvRow[]> {
  const names = new Map(locations);
  for await (const slice of readSlices(source, query, size)) {
    for (const row of slice) row[4] = row[4] === null ? null : (names.get(row[4] as string) ?? null);
    yield slice as unknown as PaymentCsvRow[];
  }
}
