import type { Trx } from '../../db/transaction.ts';
import { build835, type Clp } from '../../x12/build-835.ts';
import type { Actor } from '../actor.ts';
import { billNextPayer } from '../claims/claims.ts';
import { createCredit } from '../credits/credits.ts';
import { SandboxProcessor } from '../processors/sandbox-processor.ts';
import { refundPayment } from '../refunds/refund-payment.ts';
import { importRemittance } from '../remittance/import-remittance.ts';
import { runRefundReview } from '../tasks/run-refund-review.ts';
import { daysBefore, type SeededRandom } from './seeded-random.ts';

interface DemoPatient {
  patient: { id: string };
  treatments: Array<{ id: string; serviceDate: string; chargeCents: number }>;
}

function addDays(date: string, days: number): string {
  return daysBefore(date, -days);
}

/**
 * The billing half of the demo: claims for insured visits, payers' 835s posted
 * through the real importer (so copays held at the visit apply when the
 * payers are done), refunds of every kind, credits, and the refund review as
 * of today — the demo shows every screen with something on it.
 */
export async function seedDemoBilling(trx: Trx, actor: Actor, random: SeededRandom, today: string, patients: DemoPatient[]) {
  // Claims to the primary for insured visits, and the payers' answers three weeks later.
  const byPayer = new Map<string, { payerName: string; payerId: string; paymentDate: string; claims: Clp[] }>();
  for (const { treatments } of patients) {
    for (const t of treatments) {
      const row = await trx.selectFrom('treatments').select('insuranceStatus').where('id', '=', t.id).executeTakeFirstOrThrow();
      if (row.insuranceStatus !== 'awaiting' || random.chance(0.15)) continue;
      const claim = await billNextPayer(trx, actor, t.id);
      const paymentDate = addDays(t.serviceDate, 21);
      if (paymentDate > today || random.chance(0.2)) continue;
      const paid = Math.round((t.chargeCents * 0.6) / 100) * 100;
      const contractual = Math.round((t.chargeCents * 0.25) / 100) * 100;
      const patientShare = t.chargeCents - paid - contractual;
      // Payers pay on a fixed weekday: one 835 per payer and week.
      const week = `${claim.payerId}:${paymentDate.slice(0, 8)}${paymentDate.slice(8) < '15' ? 'a' : 'b'}`;
      const era = byPayer.get(week) ?? { payerName: claim.payerName, payerId: claim.payerId, paymentDate, claims: [] };
      era.claims.push({
        controlNumber: claim.controlNumber,
        status: '1',
        chargeCents: t.chargeCents,
        paidCents: paid,
        patientResponsibilityCents: patientShare,
        adjustments: [
          { group: 'CO', reason: '45', amountCents: contractual },
          { group: 'PR', reason: random.pick(['1', '2', '3']), amountCents: patientShare },
        ],
      });
      byPayer.set(week, era);
    }
  }
  let trace = 100;
  for (const era of byPayer.values()) {
    const text = build835([{ ...era, traceNumber: `EFT${String(++trace).padStart(8, '0')}` }]);
    await importRemittance(trx, actor, text, { fileName: `${era.payerName.replace(/\W+/g, '-').toLowerCase()}-${era.paymentDate}.835` });
  }

  // Refunds: partial and full, money back and as credit; and one applied payment refunded in full (over-applied).
  const processor = new SandboxProcessor();
  const paid = await trx
    .selectFrom('payments')
    .select(['id', 'amountCents', 'appliedCents', 'method'])
    .where('practiceId', '=', actor.practiceId)
    .where('status', '=', 'paid')
    .where('method', 'in', ['cash', 'check', 'card'])
    .orderBy('number')
    .execute();
  const unapplied = paid.filter((p) => p.appliedCents === 0);
  const reasons = ['patient_request', 'billing_error', 'duplicate_charge', 'service_not_rendered'] as const;
  for (const [index, p] of unapplied.slice(0, 10).entries()) {
    const full = index % 3 === 0;
    await refundPayment(
      trx,
      actor,
      p.id,
      { ...(full ? { full: true } : { amountCents: Math.max(100, Math.round(p.amountCents / 4)) }), reason: reasons[index % reasons.length]!, asCredit: index % 4 === 1 },
      { processor, publicUrl: '' },
    );
  }
  const applied = paid.find((p) => p.appliedCents > 0 && p.appliedCents === p.amountCents);
  if (applied) await refundPayment(trx, actor, applied.id, { full: true, reason: 'duplicate_charge', notes: 'Charged twice at check-in' }, { processor, publicUrl: '' });

  for (const { patient } of patients.slice(0, 4)) {
    await createCredit(trx, actor, patient.id, { amountCents: random.pick([1500, 2500, 5000]), reference: 'Goodwill', description: 'Courtesy credit for a long wait' });
  }

  await runRefundReview(trx, actor, { asOf: today });
}
