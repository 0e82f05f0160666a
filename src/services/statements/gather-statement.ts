import type { Db } from '../../db/transaction.ts';
import { toCents } from '../../domain/money.ts';
import { formatPaymentNumber } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';
import { patientBalanceFigures } from '../patients/patient-balance-figures.ts';
import { requirePatient } from '../patients/patients.ts';

export interface StatementVisit {
  serviceDate: string;
  physician: string;
  locationName: string;
  lines: Array<{ cpt: string; units: number; chargeCents: number }>;
  chargeCents: number;
  insurancePaidCents: number;
  /** Contractual adjustments (CO): written off, owed by no one. */
  adjustmentCents: number;
  /** While the payers still work on the visit: its charge less what they settled so far. */
  insurancePending: boolean;
  patientResponsibilityCents: number;
  /** Patient payments and credits applied to the visit. */
  paidCents: number;
  balanceCents: number;
}

export interface StatementPayment {
  number: string;
  date: string | null;
  method: string;
  amountCents: number;
  refundedCents: number;
  appliedCents: number;
}

export interface Statement {
  statementDate: string;
  practice: { name: string; slug: string };
  /** The practice's own line for every statement (Settings), or null. */
  message: string | null;
  patient: { name: string; accountId: string };
  visits: StatementVisit[];
  payments: StatementPayment[];
  totals: {
    chargeCents: number;
    insurancePaidCents: number;
    adjustmentCents: number;
    patientResponsibilityCents: number;
    paidCents: number;
  };
  /** Paid money not (yet) applied to a visit: held for a visit still with the payers, or left over. */
  unappliedCents: number;
  creditCents: number;
  /** The open patient responsibility of every visit: what the patient owes now. */
  balanceDueCents: number;
  payOnline: { url: string; accountId: string };
}

const methodLabels: Record<string, string> = {
  cash: 'Cash',
  check: 'Check',
  card: 'Card',
  online: 'Online',
  patient_credit: 'Patient credit',
};

/**
 * SPEC section 7: everything a patient statement shows, from the records
 * staff see: each visit with its charges, what insurance paid and adjusted,
 * the patient's share and payments, credits, the balance due, and where to
 * pay online (the portal with the practice in its URL, and the account ID).
 */
export async function gatherStatement(db: Db, actor: Actor, patientId: string, options: { publicUrl: string; today: string }): Promise<Statement> {
  const patient = await requirePatient(db, actor, patientId);
  const practice = await db.selectFrom('practices').select(['name', 'slug', 'statementMessage']).where('id', '=', actor.practiceId).executeTakeFirstOrThrow();
  // The same figures as the patient page, the portal and the API.
  const figures = await patientBalanceFigures(db, actor, patientId);
  const treatments = figures.visits;
  const lines = treatments.length
    ? await db
        .selectFrom('treatmentLines')
        .select(['treatmentId', 'cpt', 'units', 'chargeCents'])
        .where('practiceId', '=', actor.practiceId)
        .where(
          'treatmentId',
          'in',
          treatments.map((t) => t.id),
        )
        .orderBy('treatmentId')
        .orderBy('lineNumber')
        .execute()
    : [];
  const payments = await db
    .selectFrom('payments')
    .select(['number', 'paidDate', 'method', 'amountCents', 'refundedCents', 'appliedCents'])
    .where('practiceId', '=', actor.practiceId)
    .where('patientId', '=', patientId)
    .where('status', 'in', ['paid', 'partially_refunded', 'refunded', 'disputed'])
    .orderBy('paidDate')
    .orderBy('number')
    .execute();

  const visits: StatementVisit[] = treatments.map(({ id, locationId: _locationId, ...t }) => ({
    ...t,
    lines: lines.filter((l) => l.treatmentId === id).map((l) => ({ cpt: l.cpt, units: l.units, chargeCents: toCents(l.chargeCents) * l.units })),
  }));
  const portalUrl = `${options.publicUrl}/pay?practice=${encodeURIComponent(practice.slug)}`;
  return {
    statementDate: options.today,
    practice: { name: practice.name, slug: practice.slug },
    message: practice.statementMessage,
    patient: { name: `${patient.firstName} ${patient.lastName}`, accountId: patient.accountId },
    visits,
    payments: payments.map((p) => ({
      number: formatPaymentNumber(p.number),
      date: p.paidDate,
      method: methodLabels[p.method ?? ''] ?? 'Other',
      amountCents: toCents(p.amountCents),
      refundedCents: toCents(p.refundedCents),
      // Applied and kept: a refunded payment's applications never show as paid.
      appliedCents: Math.max(0, Math.min(toCents(p.appliedCents), toCents(p.amountCents) - toCents(p.refundedCents))),
    })),
    totals: figures.totals,
    unappliedCents: figures.balance.unappliedCents,
    creditCents: figures.balance.creditCents,
    balanceDueCents: figures.balance.patientResponsibilityCents,
    payOnline: { url: portalUrl, accountId: patient.accountId },
  };
}
