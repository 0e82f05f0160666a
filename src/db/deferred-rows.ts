import type { Insertable } from 'kysely';
import type { Database } from './database.ts';
import { insertRows } from './insert-rows.ts';
import type { Trx } from './transaction.ts';

/**
 * Rows nobody reads back inside the transaction that writes them (audit
 * events, outbox events, journal entries and their lines; an 835's claim
 * records and applications, which the import writes out itself before a step
 * that reads them):
 * a batch job (an 835 transaction set) collects them while it works and
 * writes them at its end as multi-row inserts, instead of a statement or two
 * per change.
 * The rows are built when the change is made (same ids, times, content),
 * only their insert waits. Savepoints opened inside the batch (transaction.ts)
 * share it and drop what they added when they roll back.
 */
type DeferredTable = 'remittanceClaims' | 'applications' | 'journalEntries' | 'journalLines' | 'auditEvents' | 'outboxEvents';
/** Written in this order: a journal line's entry is inserted before it (the foreign key is checked per statement). */
const tables: readonly DeferredTable[] = ['remittanceClaims', 'applications', 'journalEntries', 'journalLines', 'auditEvents', 'outboxEvents'];

type Row = Insertable<Database[DeferredTable]>;

interface Queue {
  /** Rows in the order they were queued; one written out early (flushDeferredRows) leaves null in its place, so savepoints' marks keep their positions. */
  rows: Array<Row | null>;
  /** How many of rows are written. */
  written: number;
}

/** A queue per table, so writing one table out early does not walk the others' rows (an 835 set does it before every reversal). */
type Batch = Record<DeferredTable, Queue>;

const batches = new WeakMap<object, Batch>();

/** Runs fn with trx's audit, outbox and journal rows deferred to its end; they are written before this returns. */
export async function withDeferredRows<T>(trx: Trx, fn: () => Promise<T>): Promise<T> {
  if (batches.has(trx)) return fn();
  const batch = Object.fromEntries(tables.map((table) => [table, { rows: [], written: 0 }])) as unknown as Batch;
  batches.set(trx, batch);
  try {
    const result = await fn();
    await flush(trx, batch);
    return result;
  } finally {
    batches.delete(trx);
  }
}

/** Queues the row when trx defers its rows; false when the caller must write it now. */
export function deferRow<K extends DeferredTable>(trx: Trx, table: K, row: Insertable<Database[K]>): boolean {
  const batch = batches.get(trx);
  if (!batch) return false;
  batch[table].rows.push(row as Row);
  return true;
}

/** Whether trx defers its rows (so a caller queues a whole journal entry, not half). */
export function defersRows(trx: Trx): boolean {
  return batches.has(trx);
}

/**
 * Where a step may be undone alone (a savepoint, or the import's savepoint
 * per claim): lets `inner` share trx's batch, and answers how to drop what
 * was queued from here on when the step rolls back.
 */
export function deferredMark(trx: Trx, inner: Trx = trx): () => void {
  const batch = batches.get(trx);
  if (!batch) return () => undefined;
  batches.set(inner, batch);
  const marks = tables.map((table) => batch[table].rows.length);
  return () => {
    tables.forEach((table, i) => {
      const queue = batch[table];
      queue.rows.length = marks[i]!;
      queue.written = Math.min(queue.written, marks[i]!);
    });
  };
}

/**
 * Writes the rows of one table trx's batch holds now, before a step that
 * reads them back; not inside a savepoint that may roll back, which would
 * take them with it. No other queued row refers to them.
 */
export async function flushDeferredRows(trx: Trx, only: readonly ('remittanceClaims' | 'applications')[]): Promise<void> {
  const batch = batches.get(trx);
  if (batch) await flush(trx, batch, only);
}

async function flush(trx: Trx, batch: Batch, only: readonly DeferredTable[] = tables) {
  for (const table of only) {
    const queue = batch[table];
    const rows = queue.rows.slice(queue.written) as Row[];
    await insertRows(trx, table, rows as never);
    queue.rows.fill(null, queue.written);
    queue.written = queue.rows.length;
  }
}
