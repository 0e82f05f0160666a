import type { Compilable } from 'kysely';
import { assertBalanced } from '../../domain/ledger/journal.ts';
import type { Posting } from '../../domain/ledger/postings.ts';
import type { Actor } from '../../domain/actor.ts';
import { newId, nowIso } from '../ids.ts';
import type { Trx } from '../transaction.ts';
import { writeTogether } from '../write-together.ts';

/** A posting (from src/domain/ledger/postings.ts, or the remittance posting rule) with an optional memo. */
export type NewJournalEntry = Posting & { memo?: string | null };

/**
 * The inserts of one balanced entry, naming the record that explains it, for
 * writeTogether with the other rows of the same change; the journal is never
 * updated or deleted.
 */
export function journalEntryWrites(trx: Trx, actor: Actor, entry: NewJournalEntry): { entryId: string; writes: Compilable[] } {
  assertBalanced(entry.lines);
  const entryId = newId();
  const head = trx.insertInto('journalEntries').values({
    id: entryId,
    practiceId: actor.practiceId,
    kind: entry.kind,
    paymentId: entry.paymentId ?? null,
    memo: entry.memo ?? null,
    createdAt: nowIso(),
    createdBy: actor.id,
    sourceType: entry.source.type,
    sourceId: entry.source.id,
  });
  const lines = trx.insertInto('journalLines').values(
    entry.lines.map((line) => ({
      id: newId(),
      entryId,
      practiceId: actor.practiceId,
      account: line.account,
      patientId: line.patientId ?? null,
      paymentId: line.paymentId ?? null,
      treatmentId: line.treatmentId ?? null,
      amountCents: line.amountCents,
    })),
  );
  return { entryId, writes: [head, lines] };
}

/** Appends one balanced entry (one round trip on PostgreSQL). */
export async function postJournalEntry(trx: Trx, actor: Actor, entry: NewJournalEntry): Promise<string> {
  const { entryId, writes } = journalEntryWrites(trx, actor, entry);
  await writeTogether(trx, writes);
  return entryId;
}
