import { sql } from 'kysely';

/**
 * A payment's money not yet applied, refunded or on its way back (a refund still with the processor), in SQL over
 * `payments`: the one expression every read of a patient's funds uses (posting, the refund review, refunds).
 */
export const unappliedCents = sql<number>`payments.amount_cents - payments.refunded_cents - payments.refunding_cents - payments.applied_cents`;

/** The payment has some of that money left. */
export const hasUnappliedCents = sql<boolean>`${unappliedCents} > 0`;
