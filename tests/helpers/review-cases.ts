import type { Db } from '../../src/db/transaction.ts';
import type { Actor } from '../../src/services/actor.ts';
import { listApplications, unapplyPayment } from '../../src/services/applications/apply-payment.ts';
import { billNextPayer } from '../../src/services/claims/claims.ts';
import { createLocation } from '../../src/services/locations/locations.ts';
import { createPatient, setCoverages } from '../../src/services/patients/patients.ts';
import { createPayment } from '../../src/services/payments/create-payment.ts';
import { createTreatment } from '../../src/services/treatments/treatments.ts';
import { markClaimProcessed, settleTreatment } from './settle-treatment.ts';

export interface ReviewCaseSpec {
  /** A cash prepayment (private pay, not tied to a visit), paid 2026-03-01; none when 0. */
  prepayCents: number;
  /** What the payer leaves the patient on the $150.00 visit (default 0); the prepayment applies to it on settlement. */
  prCents?: number;
  /** The day the payer processed the visit's claim (default 2026-04-01). */
  processedDate?: string;
  /** Takes the settlement's application back, so the case comes to the review with money and an open balance. */
  unapply?: boolean;
  /** A second visit whose claim is still with the payer. */
  pendingClaim?: boolean;
  /** A second visit not yet billed, with a $40.00 copay collected for it: held for that visit, not refundable. */
  heldCopayCents?: number;
}

let counter = 0;

/**
 * One refund-review case through the services: an insured patient, a $150.00
 * visit billed to the payer and processed (paid $120.00 − PR, $30.00
 * contractual, PR to the patient), a prepayment, and the settlement applying
 * it — the state a case reaches the review in.
 */
export async function makeReviewCase(db: Db, actor: Actor, spec: ReviewCaseSpec) {
  const n = ++counter;
  const patient = await createPatient(db, actor, { firstName: 'Rev', lastName: `Case${n}`, dateOfBirth: '1970-01-01' });
  await setCoverages(db, actor, patient.id, [{ payerName: 'Payer A', payerId: 'PA001', memberId: `RC-${n}`, order: 1 }]);
  const location = await createLocation(db, actor, { name: `Review clinic ${n}` });
  const visit = await createTreatment(db, actor, { patientId: patient.id, locationId: location.id, serviceDate: '2026-03-02', physician: 'Dr. Review', lines: [{ cpt: '99213', chargeCents: 15000 }] });
  const claim = await billNextPayer(db, actor, visit.id);
  const payment =
    spec.prepayCents > 0
      ? (await createPayment(db, actor, { patientId: patient.id, amountCents: spec.prepayCents, method: 'cash', status: 'paid', paidDate: '2026-03-01', type: 'private_pay' })).row
      : undefined;
  const pr = spec.prCents ?? 0;
  await markClaimProcessed(db, claim.id, { processedDate: spec.processedDate ?? '2026-04-01', paidCents: 12000 - pr, contractualCents: 3000, patientResponsibilityCents: pr });
  await settleTreatment(db, actor, visit.id, pr);
  if (spec.unapply && payment) {
    for (const application of (await listApplications(db, actor, payment.id)).items) {
      if (application.removedAt === null) await unapplyPayment(db, actor, application.id);
    }
  }
  if (spec.pendingClaim) {
    const second = await createTreatment(db, actor, { patientId: patient.id, locationId: location.id, serviceDate: '2026-03-09', physician: 'Dr. Review', lines: [{ cpt: '99212', chargeCents: 9000 }] });
    await billNextPayer(db, actor, second.id);
  }
  let copay: { id: string } | undefined;
  if (spec.heldCopayCents) {
    const second = await createTreatment(db, actor, { patientId: patient.id, locationId: location.id, serviceDate: '2026-03-09', physician: 'Dr. Review', lines: [{ cpt: '99212', chargeCents: 9000 }] });
    copay = (await createPayment(db, actor, { patientId: patient.id, treatmentId: second.id, amountCents: spec.heldCopayCents, method: 'cash', status: 'paid', paidDate: '2026-03-09', type: 'office_visit' })).row;
  }
  return { patient, visit, payment: payment!, copay };
}
