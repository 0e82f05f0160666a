import type { PaymentNotice } from '@medplum/fhirtypes';
import type { PaymentRow } from '../../db/database.ts';
import type { Db } from '../../db/transaction.ts';
import { collectedStatuses, formatPaymentNumber, type PaymentStatus } from '../../domain/payments/payment-status.ts';
import { toCents } from '../../domain/money.ts';
import type { Actor } from '../actor.ts';
import { requirePayment } from '../payments/payment-views.ts';
import { instant, PAYMENT_NUMBER_SYSTEM, patientExtension } from './fhir-references.ts';
import { fhirMoney } from './fhir-money.ts';

/** A payment's status as FHIR's financial-resource status. */
export function financialStatus(status: string): 'active' | 'cancelled' | 'draft' {
  if (status === 'cancelled' || status === 'voided') return 'cancelled';
  return status === 'draft' ? 'draft' : 'active';
}

export function isCollected(status: string): boolean {
  return collectedStatuses.includes(status as PaymentStatus);
}

/** A patient payment as a notice that money was (or is asked to be) paid; its details are the PaymentReconciliation of the same id. */
export function toFhirPaymentNotice(row: PaymentRow, practiceName: string): PaymentNotice {
  return {
    resourceType: 'PaymentNotice',
    id: row.id,
    identifier: [{ system: PAYMENT_NUMBER_SYSTEM, value: formatPaymentNumber(row.number) }],
    status: financialStatus(row.status),
    created: instant(row.createdAt),
    extension: [patientExtension(row.patientId)],
    payment: { reference: `PaymentReconciliation/${row.id}` },
    ...(row.paidDate ? { paymentDate: row.paidDate } : {}),
    payee: { display: practiceName },
    recipient: { display: practiceName },
    amount: fhirMoney(toCents(row.amountCents)),
    ...(isCollected(row.status) ? { paymentStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/paymentstatus', code: 'paid' }] } } : {}),
  };
}

async function practiceName(db: Db, actor: Actor): Promise<string> {
  return (await db.selectFrom('practices').select('name').where('id', '=', actor.practiceId).executeTakeFirstOrThrow()).name;
}

export async function readFhirPaymentNotice(db: Db, actor: Actor, paymentId: string): Promise<PaymentNotice> {
  const row = await requirePayment(db, actor, paymentId);
  return toFhirPaymentNotice(row, await practiceName(db, actor));
}

/** PaymentNotice?patient=: the patient's payments, oldest first (R4 defines no patient parameter here: ours, in the CapabilityStatement). */
export async function searchFhirPaymentNotices(db: Db, actor: Actor, patientId: string): Promise<PaymentNotice[]> {
  const rows = await db.selectFrom('payments').selectAll().where('practiceId', '=', actor.practiceId).where('patientId', '=', patientId).orderBy('number').execute();
  const name = await practiceName(db, actor);
  return rows.map((row) => toFhirPaymentNotice(row, name));
}
