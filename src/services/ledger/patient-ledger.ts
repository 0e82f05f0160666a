import type { LedgerRow, LedgerRowKind, PatientLedger } from '../../contracts/ledger.ts';
import type { Db } from '../../db/transaction.ts';
import { calendarDateIn } from '../../domain/calendar/practice-calendar.ts';
import { addToAging, emptyAging } from '../../domain/ledger/aging.ts';
import { formatCents, toCents } from '../../domain/money.ts';
import { formatPaymentNumber } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';
import { requirePatient } from '../patients/patients.ts';
import { practiceTimeZone } from '../practices/practice-settings.ts';
import { refundedButApplied } from '../treatments/treatment-insurance-figures.ts';

/** The accounts that make up a patient's balance (debit positive: what they owe less what is held for them). */
const patientAccounts = new Set(['patient_receivable', 'patient_unapplied', 'patient_credit']);

const methodLabels: Record<string, string> = { cash: 'cash', check: 'check', card: 'card', online: 'online', patient_credit: 'patient credit', credit: 'credit', processor: 'card (processor)', recorded: 'recorded' };

interface Line {
  account: string;
  amountCents: number;
  paymentId: string | null;
  treatmentId: string | null;
}

interface Entry {
  id: string;
  kind: string;
  sourceType: string | null;
  sourceId: string | null;
  createdAt: string;
  lines: Line[];
}

type Row = Omit<LedgerRow, 'runningBalanceCents' | 'runningInsuranceCents'> & { createdAt: string; seq: number };

/**
 * The patient ledger (issue 14 item 3): every movement of the patient's
 * accounts, read from the journal so it agrees with `ledger verify` by
 * construction. Each journal entry with a line for the patient becomes one row
 * (a remittance entry one row per movement: payer payment, write-off, what it
 * left to the patient, what it passed to the next payer), described from the
 * record that explains it, in date order with running balances. The balance
 * and aging come from the same lines, so the last row's running balance is the
 * patient page's balance to the cent.
 */
export async function patientLedger(db: Db, actor: Actor, patientId: string): Promise<PatientLedger> {
  await requirePatient(db, actor, patientId);
  const timeZone = await practiceTimeZone(db, actor.practiceId);
  const asOf = calendarDateIn(timeZone);
  const practiceDay = (instant: string) => calendarDateIn(timeZone, instant);

  const lineRows = await db
    .selectFrom('journalLines as l')
    .innerJoin('journalEntries as e', 'e.id', 'l.entryId')
    .select(['e.id as entryId', 'e.kind', 'e.sourceType', 'e.sourceId', 'e.createdAt', 'l.account', 'l.amountCents', 'l.paymentId', 'l.treatmentId'])
    .where('l.practiceId', '=', actor.practiceId)
    .where('l.patientId', '=', patientId)
    .orderBy('e.createdAt')
    .orderBy('e.id')
    .execute();
  const entries: Entry[] = [];
  for (const r of lineRows) {
    let entry = entries.at(-1);
    if (entry?.id !== r.entryId) {
      entry = { id: r.entryId, kind: r.kind, sourceType: r.sourceType, sourceId: r.sourceId, createdAt: r.createdAt, lines: [] };
      entries.push(entry);
    }
    entry.lines.push({ account: r.account, amountCents: toCents(r.amountCents), paymentId: r.paymentId, treatmentId: r.treatmentId });
  }

  const facts = await loadFacts(db, actor, patientId, entries);
  const visitLabel = (treatmentId: string | null) => {
    const t = treatmentId ? facts.treatments.get(treatmentId) : undefined;
    return t ? `visit ${t.serviceDate}${t.cpts.length ? ` (${t.cpts.join(', ')})` : ''}` : 'a visit';
  };
  const paymentLabel = (paymentId: string | null) => {
    const p = paymentId ? facts.payments.get(paymentId) : undefined;
    return p ? formatPaymentNumber(p.number) : 'a payment';
  };

  const rows: Row[] = [];
  for (const entry of entries) {
    const sum = (account: string, pick: (l: Line) => boolean = () => true) => entry.lines.filter((l) => l.account === account && pick(l)).reduce((s, l) => s + l.amountCents, 0);
    const patientDelta = entry.lines.filter((l) => patientAccounts.has(l.account)).reduce((s, l) => s + l.amountCents, 0);
    const insuranceDelta = sum('insurance_receivable');
    const paymentId = entry.lines.find((l) => l.paymentId)?.paymentId ?? null;
    const treatmentId = entry.lines.find((l) => l.treatmentId)?.treatmentId ?? null;
    let seq = 0;
    const row = (kind: LedgerRowKind, date: string, description: string, patientAmountCents: number, insuranceAmountCents: number, links: Partial<Pick<LedgerRow, 'paymentId' | 'treatmentId' | 'remittanceId' | 'refundId' | 'creditId'>> = {}) =>
      rows.push({
        id: seq === 0 ? entry.id : `${entry.id}-${seq}`,
        date,
        kind,
        description,
        amountCents: patientAmountCents + insuranceAmountCents,
        patientAmountCents,
        insuranceAmountCents,
        paymentId: null,
        treatmentId: null,
        remittanceId: null,
        refundId: null,
        creditId: null,
        ...links,
        createdAt: entry.createdAt,
        seq: seq++,
      });
    const recorded = practiceDay(entry.createdAt);
    const payment = paymentId ? facts.payments.get(paymentId) : undefined;
    const paidDate = payment?.paidDate ?? recorded;

    switch (entry.kind) {
      case 'charge': {
        const t = treatmentId ? facts.treatments.get(treatmentId) : undefined;
        const who = insuranceDelta !== 0 ? ' · billed to insurance' : ' · self-pay';
        row('charge', t?.serviceDate ?? recorded, `Charge: ${visitLabel(treatmentId)}${t ? ` · ${t.physician}` : ''}${who}`, patientDelta, insuranceDelta, { treatmentId });
        break;
      }
      case 'payment_received':
      case 'payment_reversed': {
        const how = payment ? `${methodLabels[payment.method ?? ''] ?? 'unspecified'}${payment.checkNumber ? ` #${payment.checkNumber}` : ''}${payment.cardLast4 ? ` ending ${payment.cardLast4}` : ''}` : '';
        const kind = entry.kind === 'payment_received' ? 'patient_payment' : 'payment_reversed';
        row(kind, paidDate, `${kind === 'patient_payment' ? 'Payment' : 'Payment reversed'} ${paymentLabel(paymentId)} · ${how}`, patientDelta, insuranceDelta, { paymentId });
        break;
      }
      case 'credit_applied':
        row('credit_draw', paidDate, `${paymentLabel(paymentId)} paid from patient credit`, patientDelta, insuranceDelta, { paymentId, treatmentId: payment?.treatmentId ?? null });
        break;
      case 'application':
      case 'unapplication': {
        const on = entry.lines.find((l) => l.account === 'patient_receivable')?.treatmentId ?? treatmentId;
        const text = entry.kind === 'application' ? `${paymentLabel(paymentId)} applied to ${visitLabel(on)}` : `${paymentLabel(paymentId)} unapplied from ${visitLabel(on)}`;
        row(entry.kind, recorded, text, patientDelta, insuranceDelta, { paymentId, treatmentId: on });
        break;
      }
      case 'refund':
      case 'refund_to_credit': {
        const refund = entry.sourceId ? facts.refunds.get(entry.sourceId) : undefined;
        const date = refund?.settledAt ? practiceDay(refund.settledAt) : recorded;
        const text = entry.kind === 'refund' ? `Refund of ${paymentLabel(paymentId)} · ${methodLabels[refund?.method ?? ''] ?? refund?.method ?? ''}` : `Refund of ${paymentLabel(paymentId)} kept as patient credit`;
        row(entry.kind, date, text, patientDelta, insuranceDelta, { paymentId, refundId: entry.sourceId, creditId: refund?.creditId ?? null });
        break;
      }
      // The processor's hold and fees move practice money only (cash and processor accounts): nothing the patient owes or is owed changes.
      case 'dispute_hold':
      case 'dispute_release':
      case 'processor_fee':
        break;
      case 'credit_created': {
        const credit = entry.sourceId ? facts.credits.get(entry.sourceId) : undefined;
        const detail = [credit?.reference, credit?.description].filter(Boolean).join(' · ');
        row('credit_created', recorded, `Credit granted${detail ? ` · ${detail}` : ''}`, patientDelta, insuranceDelta, { creditId: entry.sourceId });
        break;
      }
      case 'credit_transferred': {
        const credit = entry.sourceId ? facts.credits.get(entry.sourceId) : undefined;
        const incoming = credit?.patientId === patientId;
        const other = incoming ? credit?.fromPatientName : credit?.toPatientName;
        row(incoming ? 'credit_transfer_in' : 'credit_transfer_out', recorded, `Credit transferred ${incoming ? 'from' : 'to'} ${other ?? 'another patient'}`, patientDelta, insuranceDelta, { creditId: entry.sourceId });
        break;
      }
      case 'remittance': {
        const rp = entry.sourceId ? facts.remittancePayments.get(entry.sourceId) : undefined;
        const payer = rp?.payerName ?? 'Payer';
        const date = rp?.paymentDate ?? recorded;
        const links = { remittanceId: rp?.remittanceId ?? null, treatmentId };
        const visit = visitLabel(treatmentId);
        const cash = sum('cash_clearing');
        const writeOff = sum('contractual_writeoff');
        const toPatient = sum('patient_receivable');
        if (cash !== 0) {
          const trace = rp?.traceNumber ? ` · trace ${rp.traceNumber}` : '';
          row('payer_payment', date, `${payer} ${cash > 0 ? 'payment' : 'payment reversed'}${trace} · ${visit}`, 0, -cash, links);
        }
        if (writeOff !== 0) row('contractual_adjustment', date, `${payer} contractual write-off · ${visit}`, 0, -writeOff, links);
        if (toPatient !== 0) row('transfer_to_patient', date, `${payer} left ${formatCents(toPatient)} to the patient · ${visit}`, toPatient, -toPatient, links);
        // Whatever else the entry moved on the patient's accounts (suspense matched to a claim, say) stays visible.
        const restPatient = patientDelta - toPatient;
        const restInsurance = insuranceDelta + cash + writeOff + toPatient;
        if (restPatient !== 0 || restInsurance !== 0) row('other', date, `${payer} remittance · ${visit}`, restPatient, restInsurance, links);
        // PR passed on to the next coverage stays insurance receivable: no line, but the office wants to see it.
        const forwarded = rp && treatmentId && insuranceDelta < 0 ? facts.forwarded.get(`${rp.id}:${treatmentId}`) : undefined;
        if (forwarded && forwarded.cents > 0 && !forwarded.shown) {
          forwarded.shown = true;
          row('passed_to_next_payer', date, `${payer} passed ${formatCents(forwarded.cents)} to ${forwarded.nextPayerName ?? 'the next payer'} · ${visit}`, 0, 0, links);
        }
        break;
      }
      default:
        row('other', recorded, entry.kind, patientDelta, insuranceDelta, { paymentId, treatmentId });
    }
  }

  // Date order; within a day, the order things were recorded.
  rows.sort((a, b) => (a.date !== b.date ? (a.date < b.date ? -1 : 1) : a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : a.seq - b.seq));
  let running = 0;
  let runningInsurance = 0;
  const items: LedgerRow[] = rows.map(({ createdAt: _createdAt, seq: _seq, ...r }) => {
    running += r.patientAmountCents;
    runningInsurance += r.insuranceAmountCents;
    return { ...r, runningBalanceCents: running, runningInsuranceCents: runningInsurance };
  });

  // The balance, from the same lines: unapplied funds per payment, an over-applied payment's excess owed again.
  let receivable = 0;
  let credit = 0;
  let insurance = 0;
  const heldByPayment = new Map<string, number>();
  const receivableByTreatment = new Map<string, number>();
  for (const entry of entries) {
    for (const l of entry.lines) {
      if (l.account === 'patient_receivable') {
        receivable += l.amountCents;
        if (l.treatmentId) receivableByTreatment.set(l.treatmentId, (receivableByTreatment.get(l.treatmentId) ?? 0) + l.amountCents);
      } else if (l.account === 'patient_unapplied') heldByPayment.set(l.paymentId ?? '', (heldByPayment.get(l.paymentId ?? '') ?? 0) - l.amountCents);
      else if (l.account === 'patient_credit') credit -= l.amountCents;
      else if (l.account === 'insurance_receivable') insurance += l.amountCents;
    }
  }
  let unapplied = 0;
  let overApplied = 0;
  for (const held of heldByPayment.values()) {
    if (held > 0) unapplied += held;
    else overApplied -= held;
  }
  // Aging: each visit's open patient responsibility, with the refunded money it still shows as applied owed again.
  const unfunded = await refundedButApplied(db, actor, patientId);
  const aging = emptyAging();
  for (const treatmentId of new Set([...receivableByTreatment.keys(), ...unfunded.keys()])) {
    const open = (receivableByTreatment.get(treatmentId) ?? 0) + (unfunded.get(treatmentId) ?? 0);
    if (open !== 0) addToAging(aging, facts.treatments.get(treatmentId)?.serviceDate ?? null, asOf, open);
  }
  return {
    patientId,
    asOf,
    items,
    balance: { patientResponsibilityCents: receivable + overApplied, unappliedCents: unapplied, creditCents: credit },
    balanceCents: running,
    insuranceBalanceCents: insurance,
    aging,
  };
}

/** The records the entries name, loaded once per kind for the description and date of each row. */
async function loadFacts(db: Db, actor: Actor, patientId: string, entries: Entry[]) {
  const sourceIds = (type: string) => [...new Set(entries.filter((e) => e.sourceType === type && e.sourceId).map((e) => e.sourceId!))];
  const practiceId = actor.practiceId;

  const treatmentRows = await db
    .selectFrom('treatments')
    .select(['id', 'serviceDate', 'physician'])
    .where('practiceId', '=', practiceId)
    .where('patientId', '=', patientId)
    .execute();
  const cptRows = treatmentRows.length
    ? await db
        .selectFrom('treatmentLines')
        .select(['treatmentId', 'cpt'])
        .where('practiceId', '=', practiceId)
        .where('treatmentId', 'in', treatmentRows.map((t) => t.id))
        .orderBy('treatmentId')
        .orderBy('lineNumber')
        .execute()
    : [];
  const treatments = new Map(treatmentRows.map((t) => [t.id, { ...t, cpts: cptRows.filter((c) => c.treatmentId === t.id).map((c) => c.cpt) }]));

  const paymentRows = await db
    .selectFrom('payments')
    .select(['id', 'number', 'method', 'checkNumber', 'cardLast4', 'paidDate', 'treatmentId'])
    .where('practiceId', '=', practiceId)
    .where('patientId', '=', patientId)
    .execute();
  const payments = new Map(paymentRows.map((p) => [p.id, p]));

  const refundIds = sourceIds('refund');
  const refunds = new Map(
    (refundIds.length
      ? await db.selectFrom('refunds').select(['id', 'method', 'settledAt', 'creditId']).where('practiceId', '=', practiceId).where('id', 'in', refundIds).execute()
      : []
    ).map((r) => [r.id, r]),
  );

  const creditIds = sourceIds('credit');
  const creditRows = creditIds.length
    ? await db
        .selectFrom('credits as c')
        .innerJoin('patients as toP', 'toP.id', 'c.patientId')
        .leftJoin('credits as f', 'f.id', 'c.transferredFromId')
        .leftJoin('patients as fromP', 'fromP.id', 'f.patientId')
        .select(['c.id', 'c.patientId', 'c.reference', 'c.description', 'toP.firstName as toFirst', 'toP.lastName as toLast', 'fromP.firstName as fromFirst', 'fromP.lastName as fromLast'])
        .where('c.practiceId', '=', practiceId)
        .where('c.id', 'in', creditIds)
        .execute()
    : [];
  const name = (last: string | null, first: string | null) => (last ? `${last}, ${first ?? ''}` : null);
  const credits = new Map(creditRows.map((c) => [c.id, { ...c, toPatientName: name(c.toLast, c.toFirst), fromPatientName: name(c.fromLast, c.fromFirst) }]));

  const remittancePaymentIds = sourceIds('remittance_payment');
  const remittancePayments = new Map(
    (remittancePaymentIds.length
      ? await db
          .selectFrom('remittancePayments')
          .select(['id', 'remittanceId', 'payerName', 'traceNumber', 'paymentDate'])
          .where('practiceId', '=', practiceId)
          .where('id', 'in', remittancePaymentIds)
          .execute()
      : []
    ).map((r) => [r.id, r]),
  );

  // What each posted claim passed on to the next coverage (in the claim's posting detail), by remittance payment and visit.
  const forwarded = new Map<string, { cents: number; nextPayerName: string | null; shown: boolean }>();
  if (remittancePaymentIds.length) {
    const claimRows = await db
      .selectFrom('remittanceClaims as rc')
      .innerJoin('claims as c', 'c.id', 'rc.claimId')
      .select(['rc.remittancePaymentId', 'rc.detail', 'c.treatmentId'])
      .where('rc.practiceId', '=', practiceId)
      .where('rc.remittancePaymentId', 'in', remittancePaymentIds)
      .where('c.patientId', '=', patientId)
      .where('rc.outcome', '=', 'posted')
      .execute();
    const claims = await db.selectFrom('claims').select(['id', 'payerName']).where('practiceId', '=', practiceId).where('patientId', '=', patientId).execute();
    for (const r of claimRows) {
      const detail = parseDetail(r.detail);
      if (!detail.forwardedCents) continue;
      const next = claims.find((c) => c.id === detail.nextClaimId);
      forwarded.set(`${r.remittancePaymentId}:${r.treatmentId}`, { cents: detail.forwardedCents, nextPayerName: next?.payerName ?? null, shown: false });
    }
  }
  return { treatments, payments, refunds, credits, remittancePayments, forwarded };
}

function parseDetail(text: string): { forwardedCents?: number; nextClaimId?: string } {
  try {
    const value = JSON.parse(text) as { forwardedCents?: unknown; nextClaimId?: unknown };
    return {
      ...(typeof value.forwardedCents === 'number' ? { forwardedCents: value.forwardedCents } : {}),
      ...(typeof value.nextClaimId === 'string' ? { nextClaimId: value.nextClaimId } : {}),
    };
  } catch {
    return {};
  }
}
