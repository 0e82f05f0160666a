import type { Trx } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { applyUnappliedFunds } from '../applications/apply-unapplied-funds.ts';
import { applyFundsOf, readPatientFunds, type PatientFunds } from '../applications/patient-funds.ts';
import { applyKeptCredits } from '../credits/credits.ts';

/**
 * The payers are done with a treatment: its patient responsibility grows by
 * what they left to the patient, and then (SPEC section 6) the patient's
 * unapplied funds go to it first and to their oldest balances next, and money
 * kept as credit from a dismissed refund-owed task pays what is still open.
 * The journal lines for the amount are the caller's (posting books them with
 * the claim's other lines). `setFunds`: the patients' funds an 835 set read
 * for all its claims (readPatientFunds), used and kept up to date instead of
 * reading them for this treatment; a patient missing from it is read here.
 */
export async function settlePatientResponsibility(trx: Trx, actor: Actor, treatment: { id: string; patientId: string }, addedCents: number, setFunds?: Map<string, PatientFunds>) {
  await trx
    .updateTable('treatments')
    .set((eb) => ({ patientResponsibilityCents: eb('patientResponsibilityCents', '+', addedCents), insuranceStatus: 'settled' }))
    .where('id', '=', treatment.id)
    .execute();
  if (!setFunds) return applyToNewResponsibility(trx, actor, treatment);
  let funds = setFunds.get(treatment.patientId);
  const known = funds?.treatments.get(treatment.id);
  if (funds && known) {
    known.patientResponsibilityCents += addedCents;
    known.insuranceStatus = 'settled';
  } else {
    // Read after the update above, so the treatment is read as settled.
    funds = (await readPatientFunds(trx, actor, [treatment.patientId])).get(treatment.patientId)!;
    setFunds.set(treatment.patientId, funds);
  }
  await applyFundsOf(trx, actor, treatment.patientId, funds, treatment.id);
  if (funds.hasKeptCredits) {
    await applyKeptCredits(trx, actor, treatment.patientId, treatment.id);
    // Kept credits become payments and applications of their own: this patient's funds are read afresh when next needed.
    setFunds.delete(treatment.patientId);
  }
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
