import { sql, type Expression, type Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { preparedQuery } from '../../db/prepared-query.ts';
import type { Db, Trx } from '../../db/transaction.ts';
import { allocateUnappliedFunds } from '../../domain/allocation/allocate-unapplied-funds.ts';
import type { Actor } from '../actor.ts';
import { applyPayment } from './apply-payment.ts';
import { hasUnappliedCents, unappliedCents } from './unapplied-cents.ts';

/** A treatment's patient responsibility not yet covered by applications: what unapplied funds can go to. */
const openCents = sql<number>`patient_responsibility_cents - applied_cents`;

/** The treatment (the query's one `treatments`) has such a balance: the test of openBalances and balancesOpenToFunds. */
export const openToFunds = sql<boolean>`${openCents} > 0`;

/**
 * Received payments (Paid, Partially Refunded) with money unapplied, and the visit each was collected for:
 * the funds applyUnappliedFunds and an 835 set's readPatientFunds allocate from. Callers add the patients.
 */
export function fundLots(trx: Trx, actor: Actor) {
  return trx
    .selectFrom('payments')
    .leftJoin('treatments', 'treatments.id', 'payments.treatmentId')
    .select(['payments.id', 'payments.patientId', 'payments.treatmentId', 'payments.paidDate', 'payments.createdAt', 'treatments.insuranceStatus', unappliedCents.as('unapplied')])
    .where('payments.practiceId', '=', actor.practiceId)
    .where('payments.status', 'in', ['paid', 'partially_refunded'])
    .where(hasUnappliedCents);
}

/** The patient's treatments whose patient responsibility is not all paid: what unapplied funds go to. */
export async function openBalances(trx: Trx, actor: Actor, patientId: string) {
  return (await trx.executeQuery(openTreatments(trx, { practiceId: actor.practiceId, patientId }))).rows;
}

/** The patient's treatments open to funds: openBalances' read, and a payment's "anything open?" (create-payment.ts). */
export function openTreatmentsQuery(db: Kysely<Database>, v: { practiceId: string; patientId: string }) {
  return db
    .selectFrom('treatments')
    .select(['id', 'serviceDate', openCents.as('open')])
    .where('practiceId', '=', v.practiceId)
    .where('patientId', '=', v.patientId)
    .where(openToFunds);
}

// Read by every application of funds: compiled once (ADR 0050).
const openTreatments = preparedQuery(openTreatmentsQuery);

/**
 * SPEC section 6: when a treatment's patient responsibility is set, the
 * patient's unapplied funds go to that treatment first, then to their other
 * patient responsibility from the oldest date of service. Money held for a
 * visit still with the payers stays held for it. `onlyPaymentId` limits the
 * funds to one payment (a payment just received for a self-pay visit).
 */
export async function applyUnappliedFunds(trx: Trx, actor: Actor, patientId: string, treatmentId: string | null, onlyPaymentId?: string) {
  const balances = await openBalances(trx, actor, patientId);
  // Read first: with nothing open (a payment from a patient who owes nothing) the funds need not be read at all.
  // Stryker disable next-line ConditionalExpression,ArrayDeclaration: equivalent, with no open balance nothing is allocated (and a non-empty list only makes a caller read the payment back).
  if (balances.length === 0) return [];
  let lotsQuery = fundLots(trx, actor)
    .where('payments.patientId', '=', patientId)
    // Held: money collected for a visit whose payers have not finished with it (unless it is the visit being settled).
    .where((eb) =>
      eb.or([
        eb('payments.treatmentId', 'is', null),
        eb('treatments.insuranceStatus', '!=', 'awaiting'),
        // Stryker disable next-line ArrayDeclaration: equivalent, every caller's treatment is no longer awaiting (settled first, self-pay, or a payment's own visit checked before).
        ...(treatmentId ? [eb('payments.treatmentId', '=', treatmentId)] : []),
      ]),
    );
  if (onlyPaymentId) lotsQuery = lotsQuery.where('payments.id', '=', onlyPaymentId);
  const lots = await lotsQuery.execute();
  // Stryker disable next-line ConditionalExpression,ArrayDeclaration: equivalent, with no lots nothing is allocated (and a non-empty list only makes a caller read the payment back).
  if (lots.length === 0) return [];
  const { applications } = allocateUnappliedFunds({
    lots: lots.map((l) => ({
      paymentId: l.id,
      unappliedCents: Number(l.unapplied),
      paidDate: l.paidDate,
      createdAt: l.createdAt,
      linkedTreatmentId: l.treatmentId,
    })),
    openBalances: balances.map((b) => ({ treatmentId: b.id, serviceDate: b.serviceDate, openCents: Number(b.open) })),
    // No treatment in focus: every balance is served oldest first.
    // Stryker disable next-line StringLiteral: equivalent, any id no treatment has serves every balance oldest first.
    treatmentId: treatmentId ?? '',
  });
  // Stryker disable next-line ArrayDeclaration: equivalent, a caller that reads the list only reads the payment back when it is not empty.
  const made = [];
  for (const a of applications) made.push(await applyPayment(trx, actor, a.paymentId, { treatmentId: a.treatmentId, amountCents: a.amountCents }));
  return made;
}

/**
 * The treatments of the patient an outer query names (`patient`, a column)
 * with a balance applyUnappliedFunds could pay (the same test as
 * openBalances): with no treatment in focus it applies something exactly
 * when the patient has such a balance and funds it may use. Lets a batch
 * (the refund review's page) call it only where it would act.
 */
export function balancesOpenToFunds(db: Db, actor: Actor, patient: Expression<unknown>) {
  return db
    .selectFrom('treatments')
    .select(sql`1`.as('one'))
    .where('treatments.practiceId', '=', actor.practiceId)
    .where(sql<boolean>`${sql.ref('treatments.patientId')} = ${patient}`)
    .where(openToFunds);
}
