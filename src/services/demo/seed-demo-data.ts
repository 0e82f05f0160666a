import { nowIso } from '../../db/ids.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import type { PaymentStatus } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';
import { createUser } from '../auth/create-user.ts';
import { createLocation } from '../locations/locations.ts';
import { createPatient, setCoverages } from '../patients/patients.ts';
import { changePaymentStatus } from '../payments/change-payment-status.ts';
import { createPayment } from '../payments/create-payment.ts';
import { practiceDate } from '../practices/practice-settings.ts';
import { createPractice } from '../practices/create-practice.ts';
import { createTreatment, getTreatment } from '../treatments/treatments.ts';
import { seedDemoBilling } from './seed-demo-billing.ts';
import { SeededRandom, daysBefore, firstNames, lastNames, payers, physicians, procedures } from './seeded-random.ts';

export const DEMO_SLUG = 'demo';
export const DEMO_PASSWORD = 'ledger-demo';
export const demoUsers = [
  { email: 'admin@demo.example', role: 'admin', name: 'Ada Admin' },
  { email: 'biller@demo.example', role: 'biller', name: 'Bill Biller' },
  { email: 'frontdesk@demo.example', role: 'front_desk', name: 'Fran Frontdesk' },
] as const;

/** The statuses a demo payment ends in, and the hand-made path that gets it there. */
const paths: Array<{ weight: number; steps: PaymentStatus[]; start: 'draft' | 'pending' | 'paid' }> = [
  { weight: 45, start: 'paid', steps: [] },
  { weight: 12, start: 'pending', steps: [] },
  { weight: 6, start: 'draft', steps: [] },
  { weight: 6, start: 'pending', steps: ['processing'] },
  { weight: 8, start: 'pending', steps: ['processing', 'paid'] },
  { weight: 6, start: 'pending', steps: ['failed'] },
  { weight: 6, start: 'pending', steps: ['cancelled'] },
  { weight: 4, start: 'pending', steps: ['processing', 'voided'] },
  { weight: 4, start: 'draft', steps: ['cancelled'] },
];

/**
 * Creates the demo practice once (slug `demo`): three locations, staff
 * logins, ~50 patients (most insured), their visits, and ~200 payments over
 * the last twelve months. Everything goes through the same services as real
 * use, so the ledger balances from the start.
 */
export async function ensureDemoPractice(db: Db, options: { patients?: number; payments?: number } = {}) {
  const existing = await db.selectFrom('practices').select('id').where('slug', '=', DEMO_SLUG).executeTakeFirst();
  if (existing) return { created: false, practiceId: existing.id };
  const patientCount = options.patients ?? 50;
  const paymentCount = options.payments ?? 200;
  const random = new SeededRandom(20260302);
  return inTransaction(db, async (trx) => {
    const practice = await createPractice(trx, { slug: DEMO_SLUG, name: 'Riverside Family Medicine' });
    const today = await practiceDate(trx, practice.id);
    const actor: Actor = { practiceId: practice.id, kind: 'system', id: 'demo-seed', name: 'Demo data', role: 'admin' };
    for (const u of demoUsers) await createUser(trx, actor, { ...u, password: DEMO_PASSWORD });
    const locations = [];
    for (const name of ['Riverside Main Clinic', 'Northgate Office', 'Lakeside Urgent Care']) {
      locations.push(await createLocation(trx, actor, { name }));
    }

    const patients = [];
    for (let i = 0; i < patientCount; i++) {
      const firstName = random.pick(firstNames);
      const lastName = random.pick(lastNames);
      const patient = await createPatient(trx, actor, {
        firstName,
        lastName,
        dateOfBirth: daysBefore(today, random.int(2 * 365, 88 * 365)),
        accountId: `A${String(100001 + i)}`,
        email: `${firstName}.${lastName}${i}@example.com`.toLowerCase().replace(/'/g, ''),
        phone: `555-01${String(random.int(0, 99)).padStart(2, '0')}`,
      });
      // Four in five are insured; some carry a secondary or tertiary payer.
      if (random.chance(0.8)) {
        const chosen = [...payers].sort(() => random.next() - 0.5);
        const n = random.chance(0.25) ? (random.chance(0.3) ? 3 : 2) : 1;
        await setCoverages(
          trx,
          actor,
          patient.id,
          chosen.slice(0, n).map((p, index) => ({ ...p, memberId: `M${random.int(10000000, 99999999)}`, order: (index + 1) as 1 | 2 | 3 })),
        );
      }
      const treatments = [];
      for (let v = random.int(1, 3); v > 0; v--) {
        const lines = [random.pick(procedures)];
        if (random.chance(0.4)) lines.push(random.pick(procedures.filter((p) => p.cpt !== lines[0]!.cpt)));
        const treatment = await createTreatment(trx, actor, {
          patientId: patient.id,
          locationId: random.pick(locations).id,
          serviceDate: daysBefore(today, random.int(1, 360)),
          serviceTime: `${String(random.int(8, 16)).padStart(2, '0')}:${random.pick(['00', '15', '30', '45'])}`,
          physician: random.pick(physicians),
          lines,
        });
        treatments.push(treatment);
      }
      patients.push({ patient, treatments });
    }

    const totalWeight = paths.reduce((s, p) => s + p.weight, 0);
    for (let i = 0; i < paymentCount; i++) {
      const { patient, treatments } = random.pick(patients);
      const treatment = random.chance(0.7) ? random.pick(treatments) : undefined;
      let roll = random.int(1, totalWeight);
      const path = paths.find((p) => (roll -= p.weight) <= 0)!;
      // A payment for a visit is made on the day of service; others any day of the year.
      const daysAgo = treatment ? daysBetween(treatment.serviceDate, today) : random.int(0, 364);
      const day = daysBefore(today, daysAgo);
      const { row: payment } = await createPayment(trx, actor, {
        patientId: patient.id,
        locationId: treatment ? undefined : random.pick(locations).id,
        amountCents: random.pick([2000, 2500, 3000, 4000, 5000]) + (random.chance(0.5) ? random.int(0, 40) * 500 : 0),
        treatmentId: treatment?.id,
        type: treatment ? random.pick(['office_visit', 'treatment_prepayment'] as const) : 'private_pay',
        method: random.pick(['cash', 'check', 'card', 'card', 'online'] as const),
        dueDate: random.chance(0.6) ? daysBefore(today, daysAgo - 30) : undefined,
        status: path.start,
        paidDate: path.start === 'paid' ? day : undefined,
        memo: random.chance(0.2) ? random.pick(['Copay at check-in', 'Balance on statement', 'Paid by spouse', 'Payment plan installment']) : undefined,
      });
      for (const step of path.steps) {
        await changePaymentStatus(trx, actor, payment.id, { status: step, paidDate: step === 'paid' ? day : undefined });
      }
      // Demo history only: spread creation over the year (amounts and the journal are untouched).
      const createdAt = `${day}T${String(random.int(13, 22)).padStart(2, '0')}:${String(random.int(0, 59)).padStart(2, '0')}:00.000Z`;
      await trx.updateTable('payments').set({ createdAt, updatedAt: nowIso() }).where('id', '=', payment.id).execute();
    }
    await seedDemoBilling(trx, actor, random, today, patients);
    await withdrawSettledRequests(trx, actor);
    return { created: true, practiceId: practice.id };
  });
}

/**
 * Honest demo data: once billing has settled, a payment still asked for on a visit that owes nothing is
 * withdrawn as staff would (Cancelled, audited), so no overdue request sits on a $0.00 visit. A charge
 * already with the processor keeps its status but is no longer due.
 */
async function withdrawSettledRequests(trx: Trx, actor: Actor) {
  const asked = await trx
    .selectFrom('payments')
    .select(['id', 'status', 'treatmentId'])
    .where('practiceId', '=', actor.practiceId)
    .where('treatmentId', 'is not', null)
    .where('status', 'in', ['draft', 'pending', 'processing', 'failed'])
    .execute();
  const balances = new Map<string, number>();
  for (const payment of asked) {
    const treatmentId = payment.treatmentId!;
    if (!balances.has(treatmentId)) balances.set(treatmentId, (await getTreatment(trx, actor, treatmentId)).balanceCents);
    if (balances.get(treatmentId)! > 0) continue;
    if (payment.status === 'processing') {
      await trx.updateTable('payments').set({ dueDate: null, updatedAt: nowIso() }).where('id', '=', payment.id).execute();
    } else {
      await changePaymentStatus(trx, actor, payment.id, { status: 'cancelled' });
    }
  }
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

