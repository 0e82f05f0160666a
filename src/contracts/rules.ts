/**
 * The pure rules the browser shares with the server — one definition, never
 * retyped in the web app. The web imports them from here (contracts are the
 * only part of src/ it may import; see .oxlintrc.json).
 */
export { MAX_AMOUNT_CENTS } from '../domain/money.ts';
export { collectedStatuses, paymentMethods, paymentStatuses, paymentTypes, statusLabels, type PaymentMethod, type PaymentStatus, type PaymentType } from '../domain/payments/payment-status.ts';
export { refundReasons, statusAfterRefund, type RefundReason } from '../domain/refunds/refund-rules.ts';
export { can, isRole, type Permission, type Role } from '../domain/roles.ts';
