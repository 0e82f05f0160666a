/**
 * One error type for every rule the product enforces. The `code` is stable
 * (clients switch on it); the status comes from one table; the message is for
 * the user. Anything else thrown is an internal error and is never shown.
 */
export const errorStatus = {
  validation_failed: 400,
  invalid_amount: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  /** A cookie-session write sent from another site's page (CSRF): refused before anything is read. */
  cross_site_refused: 403,
  not_found: 404,
  conflict: 409,
  idempotency_key_reused: 409,
  idempotency_key_in_progress: 409,
  payment_locked: 422,
  /** A card charge of the payment is with the processor: no status change or edit until it settles. */
  charge_in_progress: 409,
  invalid_status_change: 422,
  link_not_allowed: 422,
  refund_not_allowed: 422,
  /** The payment is under a card dispute: no refund or manual change until the processor settles it. */
  payment_disputed: 422,
  refund_exceeds_remaining: 422,
  application_exceeds_unapplied: 422,
  application_exceeds_balance: 422,
  credit_exceeds_available: 422,
  /** A refund-owed task already completed or dismissed (or being so right now). */
  task_not_open: 409,
  unsupported_document: 415,
  document_too_large: 413,
  /** A request body over its route's limit (1 MB JSON; the 835 upload more): refused before it is read. */
  body_too_large: 413,
  unsupported_media_type: 415,
  /** A card number that fails its length or Luhn check: refused before the processor is asked. */
  card_number_invalid: 422,
  /** A raw card number sent to us while the processor takes cards in its own element (Stripe): refused, nothing written. */
  card_number_refused: 422,
  /** A processor charge that is not the attempt it is said to finish. */
  charge_reference_mismatch: 422,
  /** Card entry in the processor's element asked of a processor that takes card numbers from our form (the sandbox). */
  hosted_card_entry_unavailable: 422,
  processor_declined: 402,
  processor_unavailable: 503,
  business_rule: 422,
  /** An uploaded file that cannot be read as what it should be (empty, UTF-16, binary, not X12, no 835 in it): nothing is stored. */
  file_unreadable: 422,
  rate_limited: 429,
  /** A payment link past its expiry: it takes no money. */
  link_expired: 410,
  /** A payment link whose payment was already paid (or refunded since). */
  link_already_paid: 422,
  /** A payment link whose payment was cancelled or voided. */
  link_cancelled: 422,
  /** The portal session token is unknown or expired: look the account up again. */
  portal_session_invalid: 401,
  /** A portal payment larger than what the patient owes. */
  amount_exceeds_balance: 422,
  /** A staff invite link already used to set a password. */
  invite_used: 410,
  /** A staff invite link past its 7 days, or its user deactivated since. */
  invite_expired: 410,
  /** An estimate needs an eligibility check on file that was not rejected. */
  eligibility_missing: 422,
  /** A remittance exception already matched or resolved (or being so right now). */
  exception_not_open: 409,
  /** An exception whose claim payment cannot post by the rule (unreadable, unbalanced, a status that does not post): resolve it instead. */
  exception_not_matchable: 422,
  /** The claim an exception is matched to is no longer waiting for a payment (already processed, denied or cancelled). */
  claim_not_open: 409,
  /** A payer balance item already settled (or being so right now). */
  payer_balance_settled: 409,
  /** The patient asked for no more texts (STOP) or emails, or staff recorded it: the send is logged as suppressed. */
  recipient_opted_out: 422,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = errorStatus[code];
    this.details = details;
  }
}

export function notFound(what: string): AppError {
  return new AppError('not_found', `${what} not found`);
}
