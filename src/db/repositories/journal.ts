import type { Compilable } from 'kysely';
import { assertBalanced } from '../../domain/ledger/journal.ts';
import type { Posting } from '../../domain/ledger/postings.ts';
import type { Actor } from '../../domain/actor.ts';
import { deferRow, defersRows } from '../deferred-rows.ts';
import { newId, nowIso } from '../ids.ts';
import { preparedInsert } from '../prepared-query.ts';
import type { Trx } from '../transaction.ts';
import { writeTogether } from '../write-together.ts';

/** A posting (from src/domain/ledger/postings.ts, or the remittance posting rule) with an optional memo. */
export type NewJournalEntry = Posting & { memo?: string | null };

/** The rows of one balanced entry: its head and its lines. */
function journalEntryRows(actor: Actor, entry: NewJournalEntry) {
  assertBalanced(entry.lines);
  const entryId = newId();
  const head = {
    id: entryId,
    practiceId: actor.practiceId,
    kind: entry.kind,
    paymentId: entry.paymentId ?? null,
    memo: entry.memo ?? null,
    createdAt: nowIso(),
    createdBy: actor.id,
    sourceType: entry.source.type,
    sourceId: entry.source.id,
  };
  const lines = entry.lines.map((line) => ({
    id: newId(),
    entryId,
    practiceId: actor.practiceId,
    account: line.account,
    patientId: line.patientId ?? null,
    paymentId: line.paymentId ?? null,
    treatmentId: line.treatmentId ?? null,
    amountCents: line.amountCents,
  }));
  return { entryId, head, lines };
}

/**
 * The inserts of one balanced entry, naming the record that explains it, for
 * writeTogether with the other rows of the same change; the journal is never
 * updated or deleted.
 */
export function journalEntryWrites(trx: Trx, actor: Actor, entry: NewJournalEntry): { entryId: string; writes: Compilable[] } {
  const { entryId, head, lines } = journalEntryRows(actor, entry);
  return { entryId, writes: [insertEntry(trx, [head]), insertLines(trx, lines)] };
}

// Compiled once (ADR 0050): every payment, refund and application writes these.
const insertEntry = preparedInsert('journalEntries', { id: true, practiceId: true, kind: true, paymentId: true, memo: true, createdAt: true, createdBy: true, sourceType: true, sourceId: true });
const insertLines = preparedInsert('journalLines', { id: true, entryId: true, practiceId: true, account: true, patientId: true, paymentId: true, treatmentId: true, amountCents: true });

/** Appends one balanced entry (one round trip on PostgreSQL; queued with the batch's other rows when trx defers them). */
export async function postJournalEntry(trx: Trx, actor: Actor, entry: NewJournalEntry): Promise<string> {
  if (defersRows(trx)) {
    const { entryId, head, lines } = journalEntryRows(actor, entry);
    deferRow(trx, 'journalEntries', head);
    for (const line of lines) deferRow(trx, 'journalLines', line);
    return entryId;
  }
  const { entryId, writes } = journalEntryWrites(trx, actor, entry);
  await writeTogether(trx, writes);
  return entryId;
}
