import { newId, nowIso } from '../../db/ids.ts';
import type { Trx } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';

export interface NewCreditLot {
  patientId: string;
  amountCents: number;
  source: 'refund' | 'manual' | 'task_dismissal' | 'transfer';
  refundId?: string | null;
  paymentId?: string | null;
  transferredFromId?: string | null;
  reference?: string | null;
  description?: string | null;
}

/** Inserts a credit lot; the caller posts the journal entry that funds it in the same transaction. */
export async function insertCreditLot(trx: Trx, actor: Actor, lot: NewCreditLot) {
  const row = {
    id: newId(),
    practiceId: actor.practiceId,
    patientId: lot.patientId,
    amountCents: lot.amountCents,
    remainingCents: lot.amountCents,
    source: lot.source,
    refundId: lot.refundId ?? null,
    paymentId: lot.paymentId ?? null,
    transferredFromId: lot.transferredFromId ?? null,
    reference: lot.reference ?? null,
    description: lot.description ?? null,
    createdAt: nowIso(),
    createdBy: actor.name,
  };
  await trx.insertInto('credits').values(row).execute();
  return row;
}
