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

interface Batch {
  /** A row written out early (flushDeferredRows) leaves null in its place, so savepoints' marks keep their positions. */
  rows: Array<{ table: DeferredTable; row: Insertable<Database[DeferredTable]> } | null>;
}

const batches = new WeakMap<object, Batch>();

/** Runs fn with trx's audit, outbox and journal rows deferred to its end; they are written before this returns. */
export async function withDeferredRows<T>(trx: Trx, fn: () => Promise<T>): Promise<T> {
  if (batches.has(trx)) return fn();
  const batch: Batch = { rows: [] };
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
  batch.rows.push({ table, row: row as Insertable<Database[DeferredTable]> });
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
  const mark = batch.rows.length;
  return () => {
    batch.rows.length = mark;
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
    const rows = batch.rows.flatMap((r) => (r?.table === table ? [r.row] : []));
    await insertRows(trx, table, rows as never);
  }
  for (let i = 0; i < batch.rows.length; i++) if (batch.rows[i] && only.includes(batch.rows[i]!.table)) batch.rows[i] = null;
}
