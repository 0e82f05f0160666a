import type { Trx } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { applyUnappliedFunds } from '../applications/apply-unapplied-funds.ts';
import { applyKeptCredits } from '../credits/credits.ts';

/**
 * The payers are done with a treatment: its patient responsibility grows by
 * what they left to the patient, and then (SPEC section 6) the patient's
 * unapplied funds go to it first and to their oldest balances next, and money
 * kept as credit from a dismissed refund-owed task pays what is still open.
 * The journal lines for the amount are the caller's (posting books them with
 * the claim's other lines).
 */
export async function settlePatientResponsibility(trx: Trx, actor: Actor, treatment: { id: string; patientId: string }, addedCents: number) {
  await trx
    .updateTable('treatments')
    .set((eb) => ({ patientResponsibilityCents: eb('patientResponsibilityCents', '+', addedCents), insuranceStatus: 'settled' }))
    .where('id', '=', treatment.id)
    .execute();
  await applyToNewResponsibility(trx, actor, treatment);
}

/**
 * New patient responsibility was set on a treatment (an adjudicated claim, a
 * self-pay visit): the patient's unapplied funds go to it first and to their
 * oldest balances next (SPEC section 6), then money kept as credit from a
 * dismissed refund-owed task pays what is still open. Refund and manual
 * credits wait for staff to choose them.
 */
export async function applyToNewResponsibility(trx: Trx, actor: Actor, treatment: { id: string; patientId: string }) {
  await applyUnappliedFunds(trx, actor, treatment.patientId, treatment.id);
  await applyKeptCredits(trx, actor, treatment.patientId, treatment.id);
}
