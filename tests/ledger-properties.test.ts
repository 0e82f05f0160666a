import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { cliActor } from '../src/services/actor.ts';
import { createApiToken } from '../src/services/auth/create-api-token.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { makeLocation, makePatient } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { useTestApp, type Caller, type TestApp } from './helpers/test-app.ts';

/**
 * SPEC section 10, as a property: whatever staff do with payments, refunds,
 * applications and credits, in whatever order, every cent stays accounted
 * for. Random operation sequences run through the API against a small model
 * of what each operation must do (succeed, or be refused and change nothing);
 * after every operation the journal verifies, and after every sequence every
 * payment, credit lot and treatment the API shows agrees with the model and
 * with the sums of section 10.
 */

const successCard = '4242424242424242';

// ---- Operations: entities are picked by index modulo what exists, so any sequence is valid input. ----

type Mode = 'part' | 'all' | 'over';
type Op =
  | { kind: 'pay'; patient: number; amountCents: number; method: 'cash' | 'check' | 'card'; paidAtOnce: boolean; linked: number | null }
  | { kind: 'markPaid'; payment: number }
  | { kind: 'refund'; payment: number; mode: Mode; permille: number; asCredit: boolean }
  | { kind: 'apply'; payment: number; treatment: number; mode: Mode; permille: number }
  | { kind: 'unapply'; application: number }
  | { kind: 'treatment'; patient: number; chargeCents: number }
  | { kind: 'credit'; patient: number; amountCents: number }
  | { kind: 'applyCredit'; credit: number; treatment: number; mode: Mode; permille: number }
  | { kind: 'transfer'; credit: number; toPatient: number };

const PATIENTS = 2;
const index = fc.nat({ max: 50 });
const patientIndex = fc.nat({ max: PATIENTS - 1 });
const mode = fc.constantFrom<Mode>('part', 'part', 'all', 'over');
const permille = fc.integer({ min: 1, max: 1000 });

const pay = fc.record({
  kind: fc.constant('pay' as const),
  patient: patientIndex,
  amountCents: fc.integer({ min: 1, max: 20000 }),
  method: fc.constantFrom('cash' as const, 'check' as const, 'card' as const),
  paidAtOnce: fc.boolean(),
  // A payment collected for one of the patient's visits (index), or for none.
  linked: fc.option(index, { nil: null }),
});
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: pay },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('markPaid' as const), payment: index }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('refund' as const), payment: index, mode, permille, asCredit: fc.boolean() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('apply' as const), payment: index, treatment: index, mode, permille }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('unapply' as const), application: index }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('treatment' as const), patient: patientIndex, chargeCents: fc.integer({ min: 1, max: 30000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('credit' as const), patient: patientIndex, amountCents: fc.integer({ min: 1, max: 20000 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('applyCredit' as const), credit: index, treatment: index, mode, permille }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('transfer' as const), credit: index, toPatient: patientIndex }) },
);

const scenario = fc.record({
  // Every sequence starts with a self-pay visit for each patient and a payment or two, so the operations have something to work on.
  firstCharges: fc.tuple(fc.integer({ min: 1, max: 30000 }), fc.integer({ min: 1, max: 30000 })),
  firstPayments: fc.array(pay, { minLength: 1, maxLength: 3 }),
  ops: fc.array(op, { minLength: 4, maxLength: 30 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

// ---- The model ----

type Status = 'pending' | 'paid' | 'partially_refunded' | 'refunded';
interface MPayment {
  id: string;
  number: number;
  patient: number;
  amount: number;
  method: 'cash' | 'check' | 'card' | 'patient_credit';
  status: Status;
  refunded: number;
  applied: number;
  createdAt: string;
  treatment: MTreatment | null;
}
interface MTreatment {
  id: string;
  patient: number;
  responsibility: number;
  applied: number;
}
interface MApplication {
  id: string;
  payment: MPayment;
  treatment: MTreatment;
  amount: number;
  removed: boolean;
  createdAt: string;
}
interface MCredit {
  id: string;
  patient: number;
  amount: number;
  remaining: number;
}

const collected = (p: MPayment) => p.status === 'paid' || p.status === 'partially_refunded' || p.status === 'refunded';
const refundable = (p: MPayment) => p.status === 'paid' || p.status === 'partially_refunded';
const unappliedOf = (p: MPayment) => (collected(p) ? p.amount - p.refunded : 0) - p.applied;
const openOf = (t: MTreatment) => t.responsibility - t.applied;
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * SPEC 3 and 6 as the model sees them (every visit here is self-pay, on one
 * date of service, every payment paid on one day): money received applies to
 * the `target` visit first, then to the others by id (the tie-break after the
 * date of service); each visit draws first on money collected for it, then on
 * the oldest payment (creation time, then id). Returns the applications it
 * predicts, in order, as [payment, treatment, amount].
 */
function allocate(lots: MPayment[], treatments: MTreatment[], target: MTreatment | null): Array<[MPayment, MTreatment, number]> {
  const oldest = lots.filter((p) => refundable(p) && unappliedOf(p) > 0).sort((a, b) => byString(a.createdAt, b.createdAt) || byString(a.id, b.id));
  const open = treatments.filter((t) => openOf(t) > 0);
  const order = [...open.filter((t) => t === target), ...open.filter((t) => t !== target).sort((a, b) => byString(a.id, b.id))];
  const left = new Map(oldest.map((p) => [p, unappliedOf(p)]));
  const made: Array<[MPayment, MTreatment, number]> = [];
  for (const t of order) {
    let owed = openOf(t);
    for (const p of [...oldest.filter((x) => x.treatment === t), ...oldest.filter((x) => x.treatment !== t)]) {
      const amount = Math.min(owed, left.get(p)!);
      if (amount <= 0) continue;
      made.push([p, t, amount]);
      left.set(p, left.get(p)! - amount);
      owed -= amount;
    }
  }
  return made;
}

/** Applied money a refund took back, per treatment: each over-applied payment's excess, newest application first. */
function unfundedOf(t: MTreatment, applications: MApplication[]): number {
  let total = 0;
  const payments = new Set(applications.filter((a) => !a.removed).map((a) => a.payment));
  for (const p of payments) {
    let over = p.applied - (p.amount - p.refunded);
    if (over <= 0) continue;
    const newestFirst = applications.filter((a) => !a.removed && a.payment === p).sort((a, b) => byString(b.createdAt, a.createdAt) || byString(b.id, a.id));
    for (const a of newestFirst) {
      const taken = Math.min(over, a.amount);
      if (a.treatment === t) total += taken;
      over -= taken;
      if (over <= 0) break;
    }
  }
  return total;
}
const pick = <T>(items: T[], i: number): T | undefined => (items.length === 0 ? undefined : items[i % items.length]);
/** An amount for an operation limited by `available`: a part of it, all of it, or more than it. */
function amountFor(available: number, m: Mode, pm: number): number {
  if (m === 'over') return Math.max(available, 0) + 1 + (pm % 700);
  if (available <= 0) return 1 + (pm % 50);
  return m === 'all' ? available : Math.max(1, Math.floor((available * pm) / 1000));
}

describe.each(dialects)('ledger properties on %s', (dialect) => {
  const t = useTestApp(dialect);
  /**
   * Each sequence runs in a practice of its own, so that checking the books after
   * every operation (and shrinking a failure) stays fast however many ran before.
   */
  const run = { admin: undefined as unknown as Caller, biller: undefined as unknown as Caller, practiceId: '', lastNumber: 0 };
  let practices = 0;
  async function startPractice() {
    const db = t.database.handle.db;
    const practice = await createPractice(db, { slug: `property-${++practices}`, name: `Property Clinic ${practices}` });
    const callerOf = async (role: 'admin' | 'biller'): Promise<Caller> => {
      const { token, id } = await createApiToken(db, cliActor(practice.id), { role });
      return { token, actor: { practiceId: practice.id, kind: 'token', id, name: `${role} token`, role } };
    };
    Object.assign(run, { admin: await callerOf('admin'), biller: await callerOf('biller'), practiceId: practice.id, lastNumber: 0 });
  }
  const req: TestApp['request'] = (method, url, options = {}) => t.request(method, url, { ...options, as: options.as ?? run.admin });

  const expectRefused = (response: LightMyRequestResponse, status: number, code: string) => {
    const body = response.body ? JSON.parse(response.body) : undefined;
    expect({ status: response.statusCode, code: body?.code, body }).toMatchObject({ status, code });
  };
  const ok = <T = any>(response: LightMyRequestResponse, status: number): T => {
    const body = response.body ? JSON.parse(response.body) : undefined;
    expect({ status: response.statusCode, body }).toMatchObject({ status });
    return body as T;
  };
  const numberOf = (formatted: string) => Number(/^PAY-(\d+)$/.exec(formatted)![1]);
  /** Every payment of the practice, credit-funded ones included, takes the next number: PAY-001 first, no gaps after refusals. */
  const takeNumber = (formatted: string) => {
    const n = numberOf(formatted);
    expect(n, 'payment numbers are gapless').toBe(run.lastNumber + 1);
    run.lastNumber = n;
    return n;
  };

  async function expectPayment(p: MPayment) {
    const got = ok(await req('GET', `/api/v1/payments/${p.id}`), 200);
    const net = collected(p) ? p.amount - p.refunded : 0;
    expect({ id: p.id, status: got.status, amountCents: got.amountCents, refundedCents: got.refundedCents, billing: got.billing }).toEqual({
      id: p.id,
      status: p.status,
      amountCents: p.amount,
      refundedCents: p.refunded,
      billing: {
        netAmountCents: net,
        reference: p.status === 'refunded' ? 'Refunded' : expect.any(String),
        appliedCents: p.applied,
        unappliedCents: net - p.applied,
        overApplied: net - p.applied < 0,
      },
    });
    // Section 10 from what the API shows: paid = applied + unapplied + refunded, refunded never more than paid.
    const b = got.billing;
    expect(b.netAmountCents - b.appliedCents).toBe(b.unappliedCents);
    expect(got.refundedCents).toBeLessThanOrEqual(got.amountCents);
    expect(got.refundedCents).toBeGreaterThanOrEqual(0);
    if (collected(p)) expect(b.appliedCents + b.unappliedCents + got.refundedCents).toBe(got.amountCents);
    if (got.status === 'refunded' || got.status === 'partially_refunded') {
      expect(got.status === 'refunded').toBe(got.refundedCents === got.amountCents);
    } else {
      expect(got.refundedCents).toBe(0);
    }
  }

  async function expectTreatment(tr: MTreatment, applications: MApplication[]) {
    const got = ok(await req('GET', `/api/v1/treatments/${tr.id}`), 200);
    // Money a refund took back is owed again, though its application stays.
    expect({ id: tr.id, patientResponsibilityCents: got.patientResponsibilityCents, balanceCents: got.balanceCents }).toEqual({
      id: tr.id,
      patientResponsibilityCents: tr.responsibility,
      balanceCents: openOf(tr) + unfundedOf(tr, applications),
    });
    expect(got.balanceCents).toBeGreaterThanOrEqual(0);
    expect(got.balanceCents).toBeLessThanOrEqual(got.patientResponsibilityCents);
  }

  async function expectCredits(patientId: string, lots: MCredit[]) {
    const got = ok(await req('GET', `/api/v1/patients/${patientId}/credits`), 200);
    const byId = new Map<string, any>(got.items.map((c: any) => [c.id, c]));
    expect([...byId.keys()].sort()).toEqual(lots.map((c) => c.id).sort());
    for (const lot of lots) {
      const c = byId.get(lot.id);
      expect({ id: lot.id, amountCents: c.amountCents, remainingCents: c.remainingCents }).toEqual({ id: lot.id, amountCents: lot.amount, remainingCents: lot.remaining });
      expect(c.remainingCents).toBeGreaterThanOrEqual(0);
      expect(c.remainingCents).toBeLessThanOrEqual(c.amountCents);
    }
    const sum = got.items.reduce((s: number, c: any) => s + c.remainingCents, 0);
    expect(got.availableCents).toBe(sum);
    return got.availableCents as number;
  }

  it('keeps every cent accounted for through random payments, refunds, applications and credits', async () => {
    let locationId = '';
    const treatmentBody = (patientId: string, chargeCents: number) => ({
      patientId,
      locationId,
      serviceDate: '2026-03-02',
      physician: 'Dr. Property',
      lines: [{ cpt: '99213', chargeCents }],
    });

    /** One sequence; `trace` records each operation and what the API did, for the failure report. */
    async function runScenario({ firstCharges, firstPayments, ops }: Scenario, trace: string[]) {
      await startPractice();
      locationId = (await makeLocation(t, run.admin)).id;
      const patients: string[] = [];
      for (let i = 0; i < PATIENTS; i++) patients.push((await makePatient(t, run.admin)).id);
      const payments: MPayment[] = [];
      const treatments: MTreatment[] = [];
      const applications: MApplication[] = [];
      const credits: MCredit[] = [];

      /**
       * Money just received, or a visit just charged: the model predicts the applications the
       * product makes by itself, checks that the API made exactly those, and takes their ids.
       */
      const expectApplied = async (predicted: Array<[MPayment, MTreatment, number]>) => {
        for (const [p, tr, amount] of predicted) {
          p.applied += amount;
          tr.applied += amount;
        }
        for (const p of new Set(predicted.map(([x]) => x))) {
          const known = new Set(applications.map((a) => a.id));
          const listed = ok(await req('GET', `/api/v1/payments/${p.id}/applications`), 200).items.filter((a: any) => !known.has(a.id));
          const mine = predicted.filter(([x]) => x === p);
          expect(listed.map((a: any) => [a.treatmentId, a.amountCents]).sort()).toEqual(mine.map(([, tr, amount]) => [tr.id, amount]).sort());
          for (const a of listed) {
            applications.push({ id: a.id, payment: p, treatment: treatments.find((x) => x.id === a.treatmentId)!, amount: a.amountCents, removed: false, createdAt: a.createdAt });
          }
        }
      };
      const received = async (p: MPayment) => expectApplied(allocate([p], treatments.filter((x) => x.patient === p.patient), p.treatment));

      const addTreatment = async (patient: number, chargeCents: number) => {
        const made = ok(await req('POST', '/api/v1/treatments', { body: treatmentBody(patients[patient]!, chargeCents) }), 201);
        const tr: MTreatment = { id: made.id, patient, responsibility: chargeCents, applied: 0 };
        treatments.push(tr);
        // A self-pay visit is patient responsibility at once: the patient's unapplied money pays it, this visit first.
        const predicted = allocate(payments.filter((p) => p.patient === patient), treatments.filter((x) => x.patient === patient), tr);
        await expectApplied(predicted);
        expect(made).toMatchObject({ chargeCents, patientResponsibilityCents: chargeCents, balanceCents: chargeCents - predicted.filter(([, x]) => x === tr).reduce((s2, [, , a]) => s2 + a, 0) });
      };
      for (let i = 0; i < PATIENTS; i++) await addTreatment(i, firstCharges[i]!);

      for (const o of [...firstPayments, ...ops]) {
        trace.push(JSON.stringify(o));
        const note = (s: string) => (trace[trace.length - 1] += ` -> ${s}`);
        switch (o.kind) {
          case 'pay': {
            const body: Record<string, unknown> = { patientId: patients[o.patient], amountCents: o.amountCents, method: o.method };
            const linked = o.linked === null ? null : (pick(treatments.filter((x) => x.patient === o.patient), o.linked) ?? null);
            if (linked) body.treatmentId = linked.id;
            if (o.method !== 'card' && o.paidAtOnce) body.status = 'paid';
            if (o.method === 'check') body.checkNumber = `${1000 + payments.length}`;
            const created = ok(await req('POST', '/api/v1/payments', { body }), 201);
            const p: MPayment = {
              id: created.id,
              number: takeNumber(created.number),
              patient: o.patient,
              amount: o.amountCents,
              method: o.method,
              status: body.status === 'paid' ? 'paid' : 'pending',
              refunded: 0,
              applied: 0,
              createdAt: created.createdAt,
              treatment: linked,
            };
            payments.push(p);
            if (o.method === 'card') {
              const charged = ok(await req('POST', `/api/v1/payments/${p.id}/charge`, { body: { source: successCard } }), 200);
              expect(charged).toMatchObject({ status: 'paid', failure: null });
              p.status = 'paid';
            }
            if (p.status === 'paid') await received(p);
            note(`${created.number} ${p.status}`);
            break;
          }
          case 'markPaid': {
            const p = pick(payments, o.payment);
            if (!p) break;
            const response = await req('POST', `/api/v1/payments/${p.id}/status`, { body: { status: 'paid' } });
            if (p.status === 'pending') {
              expect(ok(response, 200).status).toBe('paid');
              p.status = 'paid';
              await received(p);
              note('paid');
            } else {
              expectRefused(response, 422, 'invalid_status_change');
              note('refused');
              await expectPayment(p);
            }
            break;
          }
          case 'refund': {
            const p = pick(payments, o.payment);
            if (!p) break;
            const remaining = p.amount - p.refunded;
            const amount = amountFor(remaining, o.mode, o.permille);
            const body: Record<string, unknown> = { reason: 'patient_request', asCredit: o.asCredit };
            if (o.mode === 'all' && o.permille % 2 === 0) body.full = true;
            else body.amountCents = amount;
            const response = await req('POST', `/api/v1/payments/${p.id}/refunds`, { body, as: run.biller });
            if (!refundable(p)) {
              expectRefused(response, 422, 'refund_not_allowed');
              note('refused: not refundable');
              await expectPayment(p);
              break;
            }
            if (amount > remaining) {
              expectRefused(response, 422, 'refund_exceeds_remaining');
              note(`refused: ${amount} > ${remaining}`);
              await expectPayment(p);
              break;
            }
            const refund = ok(response, 201);
            const asCredit = o.asCredit || p.method === 'patient_credit';
            const method = asCredit ? 'credit' : p.method === 'card' ? 'processor' : p.method;
            p.refunded += amount;
            p.status = p.refunded === p.amount ? 'refunded' : 'partially_refunded';
            expect(refund).toMatchObject({ amountCents: amount, method, status: 'succeeded', payment: { status: p.status, refundedCents: p.refunded } });
            if (asCredit) {
              expect(refund.creditId).toEqual(expect.any(String));
              credits.push({ id: refund.creditId, patient: p.patient, amount, remaining: amount });
            } else {
              expect(refund.creditId).toBeNull();
            }
            note(`refunded ${amount} as ${method}`);
            break;
          }
          case 'apply': {
            const p = pick(payments, o.payment);
            if (!p) break;
            const tr = pick(
              treatments.filter((x) => x.patient === p.patient),
              o.treatment,
            );
            if (!tr) break;
            const amount = amountFor(Math.min(unappliedOf(p), openOf(tr)), o.mode, o.permille);
            const response = await req('POST', `/api/v1/payments/${p.id}/applications`, { body: { treatmentId: tr.id, amountCents: amount }, as: run.biller });
            if (!refundable(p)) {
              expectRefused(response, 422, 'business_rule');
              note('refused: not money received');
            } else if (amount > unappliedOf(p)) {
              expectRefused(response, 422, 'application_exceeds_unapplied');
              note(`refused: ${amount} > unapplied ${unappliedOf(p)}`);
            } else if (amount > openOf(tr)) {
              expectRefused(response, 422, 'application_exceeds_balance');
              note(`refused: ${amount} > open ${openOf(tr)}`);
            } else {
              const application = ok(response, 201);
              expect(application).toMatchObject({ paymentId: p.id, treatmentId: tr.id, amountCents: amount, removedAt: null });
              applications.push({ id: application.id, payment: p, treatment: tr, amount, removed: false, createdAt: application.createdAt });
              p.applied += amount;
              tr.applied += amount;
              note(`applied ${amount}`);
              break;
            }
            await expectPayment(p);
            await expectTreatment(tr, applications);
            break;
          }
          case 'unapply': {
            const a = pick(applications, o.application);
            if (!a) break;
            const response = await req('DELETE', `/api/v1/applications/${a.id}`, { as: run.biller });
            if (a.removed) {
              expectRefused(response, 409, 'conflict');
              note('refused: already removed');
              await expectPayment(a.payment);
              await expectTreatment(a.treatment, applications);
              break;
            }
            expect(ok(response, 200).removedAt).toEqual(expect.any(String));
            a.removed = true;
            a.payment.applied -= a.amount;
            a.treatment.applied -= a.amount;
            note(`unapplied ${a.amount}`);
            break;
          }
          case 'treatment':
            await addTreatment(o.patient, o.chargeCents);
            break;
          case 'credit': {
            const lot = ok(await req('POST', `/api/v1/patients/${patients[o.patient]}/credits`, { body: { amountCents: o.amountCents }, as: run.biller }), 201);
            expect(lot).toMatchObject({ amountCents: o.amountCents, remainingCents: o.amountCents, source: 'manual' });
            credits.push({ id: lot.id, patient: o.patient, amount: o.amountCents, remaining: o.amountCents });
            break;
          }
          case 'applyCredit': {
            const c = pick(credits, o.credit);
            if (!c) break;
            const tr = pick(
              treatments.filter((x) => x.patient === c.patient),
              o.treatment,
            );
            if (!tr) break;
            const amount = amountFor(Math.min(c.remaining, openOf(tr)), o.mode, o.permille);
            const response = await req('POST', `/api/v1/treatments/${tr.id}/apply-credit`, { body: { creditId: c.id, amountCents: amount } });
            if (amount > c.remaining) {
              expectRefused(response, 422, 'credit_exceeds_available');
              note(`refused: ${amount} > remaining ${c.remaining}`);
            } else if (amount > openOf(tr)) {
              expectRefused(response, 422, 'application_exceeds_balance');
              note(`refused: ${amount} > open ${openOf(tr)}`);
            } else {
              const applied = ok(response, 201);
              c.remaining -= amount;
              expect(applied.credit).toMatchObject({ id: c.id, remainingCents: c.remaining });
              const created = ok(await req('GET', `/api/v1/payments/${applied.paymentId}`), 200);
              expect(created).toMatchObject({ method: 'patient_credit', status: 'paid', amountCents: amount, treatmentId: tr.id });
              const p: MPayment = {
                id: applied.paymentId,
                number: takeNumber(created.number),
                patient: c.patient,
                amount,
                method: 'patient_credit',
                status: 'paid',
                refunded: 0,
                applied: amount,
                createdAt: created.createdAt,
                treatment: tr,
              };
              payments.push(p);
              tr.applied += amount;
              applications.push({ id: applied.application.id, payment: p, treatment: tr, amount, removed: false, createdAt: applied.application.createdAt });
              note(`applied ${amount} as ${created.number}`);
              break;
            }
            await expectCredits(patients[c.patient]!, credits.filter((x) => x.patient === c.patient));
            await expectTreatment(tr, applications);
            break;
          }
          case 'transfer': {
            const c = pick(credits, o.credit);
            if (!c) break;
            const response = await req('POST', `/api/v1/credits/${c.id}/transfer`, { body: { toPatientId: patients[o.toPatient] } });
            if (o.toPatient === c.patient) {
              expectRefused(response, 400, 'validation_failed');
              note('refused: same patient');
            } else if (c.remaining === 0) {
              expectRefused(response, 422, 'credit_exceeds_available');
              note('refused: nothing remains');
            } else {
              const lot = ok(response, 201);
              expect(lot).toMatchObject({ patientId: patients[o.toPatient], amountCents: c.remaining, remainingCents: c.remaining, source: 'transfer', transferredFromId: c.id });
              credits.push({ id: lot.id, patient: o.toPatient, amount: c.remaining, remaining: c.remaining });
              note(`moved ${c.remaining}`);
              c.remaining = 0;
              break;
            }
            await expectCredits(patients[c.patient]!, credits.filter((x) => x.patient === c.patient));
            break;
          }
        }
        // The journal agrees with every cached total after every single operation.
        expect(await verifyLedger(t.database.handle.db, { practiceId: run.practiceId })).toEqual([]);
      }

      // After the sequence: everything the API shows agrees with the model and with section 10.
      for (const p of payments) await expectPayment(p);
      for (const tr of treatments) await expectTreatment(tr, applications);
      for (const p of payments) {
        const listed = ok(await req('GET', `/api/v1/payments/${p.id}/applications`), 200);
        const live = listed.items.filter((a: any) => a.removedAt === null).reduce((s: number, a: any) => s + a.amountCents, 0);
        expect(live).toBe(p.applied);
      }
      for (let i = 0; i < PATIENTS; i++) {
        const available = await expectCredits(patients[i]!, credits.filter((c) => c.patient === i));
        const patient = ok(await req('GET', `/api/v1/patients/${patients[i]}`), 200);
        const mine = payments.filter((p) => p.patient === i);
        expect({ patient: i, balance: patient.balance }).toEqual({
          patient: i,
          balance: {
            creditCents: available,
            // What the patient owes: refunded money never counts as paid.
            patientResponsibilityCents: treatments.filter((x) => x.patient === i).reduce((s, x) => s + openOf(x) + unfundedOf(x, applications), 0),
            // Over-applied payments are a work-list item, not negative funds.
            unappliedCents: mine.filter(collected).reduce((s, p) => s + Math.max(unappliedOf(p), 0), 0),
          },
        });
        expect(available).toBe(credits.filter((c) => c.patient === i).reduce((s, c) => s + c.remaining, 0));
      }
      // Over-applied payments (net − applied < 0) are exactly the ones in the work list.
      const overApplied = new Set<string>();
      for (let page = 1; ; page++) {
        const listed = ok(await req('GET', `/api/v1/reports/over-applied?page=${page}&pageSize=200`), 200);
        for (const item of listed.items) overApplied.add(item.id);
        if (page * 200 >= listed.total) break;
      }
      for (const p of payments) expect({ id: p.id, listed: overApplied.has(p.id) }).toEqual({ id: p.id, listed: unappliedOf(p) < 0 });
      await t.expectLedgerBalances();
    }

    await fc.assert(
      fc.asyncProperty(scenario, async (input) => {
        const trace: string[] = [];
        try {
          await runScenario(input, trace);
        } catch (error) {
          if (error instanceof Error) error.message += `\n\nOperations, and what the API did:\n${trace.join('\n')}`;
          throw error;
        }
      }),
      // A failure shrinks for at most a minute, then reports the smallest sequence found so far.
      { numRuns: 20, interruptAfterTimeLimit: 60_000 },
    );
  }, 120_000);
});
