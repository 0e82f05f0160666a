import { randomBytes } from 'node:crypto';
import type { PaymentRow } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { statusLabels, type PaymentStatus } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';
import { paymentLinkUrl, requirePayment } from './payment-views.ts';

const linkable: ReadonlySet<PaymentStatus> = new Set(['draft', 'pending', 'failed']);

/**
 * A payment link: a URL holding 192 random bits and an expiry. A new link
 * replaces the old one, so a leaked link can be cut off by making another.
 */
export async function createPaymentLink(db: Db, actor: Actor, paymentId: string, expiresInDays: number, publicUrl: string) {
  return inTransaction(db, async (trx) => {
    const payment: PaymentRow = await requirePayment(trx, actor, paymentId);
    const status = payment.status as PaymentStatus;
    if (!linkable.has(status)) {
      throw new AppError('link_not_allowed', `A ${statusLabels[status]} payment cannot be paid by link.`);
    }
    const token = randomBytes(24).toString('base64url');
    const expiresAt = new Date(Date.now() + expiresInDays * 86_400_000).toISOString();
    await trx.updateTable('payments').set({ linkToken: token, linkExpiresAt: expiresAt }).where('id', '=', paymentId).execute();
    await recordAudit(trx, actor, {
      action: 'payment.link_created',
      entityType: 'payment',
      entityId: paymentId,
      before: { linkExpiresAt: payment.linkExpiresAt },
      after: { linkExpiresAt: expiresAt },
    });
    return { url: paymentLinkUrl(publicUrl, token), expiresAt };
  });
}
