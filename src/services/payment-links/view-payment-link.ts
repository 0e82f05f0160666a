import type { PaymentLinkView } from '../../contracts/portal.ts';
import type { PaymentRow } from '../../db/database.ts';
import type { Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { formatPaymentNumber, type PaymentStatus } from '../../domain/payments/payment-status.ts';

const paidStatuses: ReadonlySet<PaymentStatus> = new Set(['paid', 'partially_refunded', 'refunded', 'disputed']);
const cancelledStatuses: ReadonlySet<PaymentStatus> = new Set(['cancelled', 'voided']);

/** Finds the payment a link's token opens; 404 for a token that is not (or no longer) a link. */
export async function findPaymentByLinkToken(db: Db, token: string): Promise<PaymentRow> {
  // Tokens are 24 random bytes in base64url: anything else cannot be one, and is not looked up.
  const payment = /^[A-Za-z0-9_-]{16,64}$/.test(token)
    ? await db.selectFrom('payments').selectAll().where('linkToken', '=', token).executeTakeFirst()
    : undefined;
  if (!payment || !payment.linkExpiresAt) throw new AppError('not_found', 'This payment link is not valid. Ask the practice for a new one.');
  return payment;
}

/** Why a link cannot take money now, or null when it can. A paid payment says so even after its link expired. */
export function linkBlocker(payment: PaymentRow, now = new Date()): PaymentLinkView['reason'] {
  const status = payment.status as PaymentStatus;
  if (paidStatuses.has(status)) return 'paid';
  if (cancelledStatuses.has(status)) return 'cancelled';
  if (status === 'processing') return 'processing';
  if (!payment.linkExpiresAt || Date.parse(payment.linkExpiresAt) <= now.getTime()) return 'expired';
  return null;
}

/** What the page at a payment link shows: the practice, the payment's number and amount, and whether it can be paid. */
export async function viewPaymentLink(db: Db, token: string): Promise<PaymentLinkView> {
  const payment = await findPaymentByLinkToken(db, token);
  const practice = await db.selectFrom('practices').select('name').where('id', '=', payment.practiceId).executeTakeFirstOrThrow();
  const treatment = payment.treatmentId
    ? await db.selectFrom('treatments').select('serviceDate').where('id', '=', payment.treatmentId).executeTakeFirst()
    : undefined;
  const reason = linkBlocker(payment);
  return {
    practiceName: practice.name,
    number: formatPaymentNumber(payment.number),
    amountCents: payment.amountCents,
    status: payment.status,
    expiresAt: payment.linkExpiresAt!,
    payable: reason === null,
    reason,
    serviceDate: treatment?.serviceDate ?? null,
  };
}
