import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { requirePayment } from './payment-views.ts';
import { wholeList } from '../whole-list.ts';

/** Notes can be added in every status, locked ones included. */
export async function addPaymentNote(db: Db, actor: Actor, paymentId: string, text: string) {
  return inTransaction(db, async (trx) => {
    await requirePayment(trx, actor, paymentId);
    const note = {
      id: newId(),
      practiceId: actor.practiceId,
      paymentId,
      text,
      authorId: actor.id,
      authorName: actor.name,
      createdAt: nowIso(),
    };
    await trx.insertInto('paymentNotes').values(note).execute();
    await recordAudit(trx, actor, { action: 'payment.note_added', entityType: 'payment', entityId: paymentId, after: { text } });
    return { id: note.id, text, authorName: note.authorName, createdAt: note.createdAt };
  });
}

export async function listPaymentNotes(db: Db, actor: Actor, paymentId: string) {
  await requirePayment(db, actor, paymentId);
  const items = await db
    .selectFrom('paymentNotes')
    .select(['id', 'text', 'authorName', 'createdAt'])
    .where('paymentId', '=', paymentId)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
  return wholeList(items);
}
