import { sql } from 'kysely';
import type { Db } from '../../db/transaction.ts';
import { collectedStatuses } from '../../domain/payments/payment-status.ts';
import { toCents } from '../../domain/money.ts';
import type { Actor } from '../actor.ts';
import { treatmentInsuranceFigures, type TreatmentInsuranceFigures } from '../treatments/treatment-insurance-figures.ts';

export interface PatientBalance {
  /** What the patient owes now: every visit's patient responsibility less the money applied to it and kept. */
  patientResponsibilityCents: number;
  /** Paid money not applied to any visit (over-applied payments count nothing here: their excess is owed above). */
  unappliedCents: number;
  /** What remains of the patient's credits. */
  creditCents: number;
}

export interface PatientBalanceFigures {
  balance: PatientBalance;
  /** Every visit, oldest first, with what insurance paid and adjusted and what the patient owes. */
  visits: TreatmentInsuranceFigures[];
  totals: { chargeCents: number; insurancePaidCents: number; adjustmentCents: number; patientResponsibilityCents: number; paidCents: number };
}

/**
 * THE computation of a patient's balance (SPEC section 3: the patient page,
 * the portal, the statement and the API always show the same balance, and
 * refunded money never shows as paid). Everything that shows a patient's
 * balance calls this.
 */
export async function patientBalanceFigures(db: Db, actor: Actor, patientId: string): Promise<PatientBalanceFigures> {
  const visits = await treatmentInsuranceFigures(db, actor, patientId, { order: 'asc' });
  // Over-applied payments are a work-list item, not negative funds: only positive remainders count here.
  const unapplied = await db
    .selectFrom('payments')
    .select(
      sql<number>`coalesce(sum(case when amount_cents - refunded_cents - refunding_cents - applied_cents > 0 then amount_cents - refunded_cents - refunding_cents - applied_cents else 0 end), 0)`.as(
        'total',
      ),
    )
    .where('practiceId', '=', actor.practiceId)
    .where('patientId', '=', patientId)
    .where('status', 'in', [...collectedStatuses])
    .executeTakeFirstOrThrow();
  const credit = await db
    .selectFrom('credits')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('remainingCents'), eb.val(0)).as('total'))
    .where('practiceId', '=', actor.practiceId)
    .where('patientId', '=', patientId)
    .executeTakeFirstOrThrow();
  const sum = (pick: (v: TreatmentInsuranceFigures) => number) => visits.reduce((total, v) => total + pick(v), 0);
  return {
    balance: {
      patientResponsibilityCents: sum((v) => v.balanceCents),
      unappliedCents: toCents(unapplied.total),
      creditCents: toCents(credit.total),
    },
    visits,
    totals: {
      chargeCents: sum((v) => v.chargeCents),
      insurancePaidCents: sum((v) => v.insurancePaidCents),
      adjustmentCents: sum((v) => v.adjustmentCents),
      patientResponsibilityCents: sum((v) => v.patientResponsibilityCents),
      paidCents: sum((v) => v.paidCents),
    },
  };
}
