import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table types, camelCase (the CamelCasePlugin maps them to snake_case
 * columns). Ids are UUIDv7 text, instants ISO-8601 UTC text, calendar dates
 * 'YYYY-MM-DD' text, money integer cents (BIGINT on PostgreSQL).
 */
export interface Database {
  practices: PracticeTable;
  locations: LocationTable;
  users: UserTable;
  apiTokens: ApiTokenTable;
  sessions: SessionTable;
  userInvites: UserInviteTable;
  patients: PatientTable;
  coverages: CoverageTable;
  treatments: TreatmentTable;
  treatmentLines: TreatmentLineTable;
  payments: PaymentTable;
  applications: ApplicationTable;
  refunds: RefundTable;
  credits: CreditTable;
  claims: ClaimTable;
  remittances: RemittanceTable;
  remittancePayments: RemittancePaymentTable;
  remittanceClaims: RemittanceClaimTable;
  providerAdjustments: ProviderAdjustmentTable;
  payerBalanceItems: PayerBalanceItemTable;
  tasks: TaskTable;
  paymentNotes: PaymentNoteTable;
  paymentDocuments: PaymentDocumentTable;
  auditEvents: AuditEventTable;
  idempotencyKeys: IdempotencyKeyTable;
  journalEntries: JournalEntryTable;
  journalLines: JournalLineTable;
  outboxEvents: OutboxEventTable;
  eligibilityChecks: EligibilityCheckTable;
  feeScheduleEntries: FeeScheduleEntryTable;
  portalSessions: PortalSessionTable;
  portalAttempts: PortalAttemptTable;
  webhookEndpoints: WebhookEndpointTable;
  webhookDeliveries: WebhookDeliveryTable;
  messages: MessageTable;
  webhookAttempts: WebhookAttemptTable;
  processorDisputes: ProcessorDisputeTable;
  processorPayouts: ProcessorPayoutTable;
  processorPayoutItems: ProcessorPayoutItemTable;
  processorReceipts: ProcessorReceiptTable;
  processorReceiptReturns: ProcessorReceiptReturnTable;
  paymentTotals: PaymentTotalTable;
  refundTotals: RefundTotalTable;
  paymentNames: PaymentNameTable;
  paymentDays: PaymentDayTable;
}

/** Kept by triggers (migration 0027, ADR 0030): each practice's distinct payments.patient_name, for the trigram name search. Only ever added to. */
export interface PaymentNameTable {
  practiceId: string;
  patientName: string;
  /** How many payments carry the name (migration 0032, ADR 0040): a name search's total is their sum. */
  payments: ColumnType<number, number | undefined, number>;
}

/** Kept by triggers (migration 0032, ADR 0040): payments per practice and UTC day of created_at, for deep pages of the default list. */
export interface PaymentDayTable {
  practiceId: string;
  /** 'YYYY-MM-DD', the first ten characters of created_at. */
  day: string;
  payments: number;
}

/** Kept by triggers (migration 0022, ADR 0026): payments per location, status, cash method and paid month. */
export interface PaymentTotalTable {
  practiceId: string;
  /** '' = no location. */
  locationId: string;
  status: string;
  cashMethod: number;
  /** 'YYYY-MM', '' when unpaid. */
  paidMonth: string;
  payments: number;
  amountCents: number;
}

/** Kept by triggers: money sent back to patients per location and UTC hour ('YYYY-MM-DDTHH'). */
export interface RefundTotalTable {
  practiceId: string;
  locationId: string;
  hour: string;
  refunds: number;
  amountCents: number;
}

export interface PracticeTable {
  id: string;
  slug: string;
  name: string;
  /** Last payment number handed out; bumped in the creating transaction so numbers never gap or repeat. */
  paymentSeq: number;
  /** IANA time zone name: the practice's calendar (paid dates, "today", dashboard months). */
  timeZone: ColumnType<string, string | undefined, string>;
  /** Days the refund review waits after the last claim; null = the server's REFUND_REVIEW_DAYS. */
  refundReviewDays: ColumnType<number | null, number | null | undefined, number | null>;
  /** A line printed on every patient statement (office hours, payment plans); null = none. */
  statementMessage: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: string;
}

export interface LocationTable {
  id: string;
  practiceId: string;
  name: string;
  createdAt: string;
  /** A deactivated location is offered for no new visit or payment; its records keep naming it. */
  deactivatedAt: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface UserTable {
  id: string;
  practiceId: string;
  email: string;
  name: string;
  passwordHash: string;
  role: string;
  createdAt: string;
  disabledAt: string | null;
}

export interface ApiTokenTable {
  id: string;
  practiceId: string;
  name: string;
  role: string;
  /** sha256 of the token; the token itself is shown once and never stored. */
  tokenHash: string;
  createdAt: string;
  revokedAt: string | null;
  /** After this instant the token answers 401; null = until revoked. */
  expiresAt: string | null;
  /** Updated at most once a minute (a write per request would cost more than it tells). */
  lastUsedAt: string | null;
}

/** A one-time link that lets an invited user set a password; only the token's sha256 is kept. */
export interface UserInviteTable {
  id: string;
  practiceId: string;
  userId: string;
  tokenHash: string;
  createdAt: string;
  createdBy: string;
  expiresAt: string;
  usedAt: string | null;
}

export interface SessionTable {
  /** sha256 of the cookie value. */
  id: string;
  userId: string;
  practiceId: string;
  createdAt: string;
  expiresAt: string;
}

export interface PatientTable {
  id: string;
  practiceId: string;
  accountId: string;
  firstName: string;
  lastName: string;
  /** Lower-cased "first last" for case-insensitive search. */
  searchName: string;
  dateOfBirth: string;
  email: string | null;
  phone: string | null;
  createdAt: string;
  /** 1: no SMS to this patient (a staff toggle or an inbound STOP). */
  smsOptOut: ColumnType<number, number | undefined, number>;
  emailOptOut: ColumnType<number, number | undefined, number>;
}

export interface MessageTable {
  id: string;
  practiceId: string;
  patientId: string;
  channel: 'email' | 'sms';
  toAddress: string;
  template: 'receipt' | 'statement' | 'payment_link';
  paymentId: string | null;
  /** A receipt of this refund (of the payment above) rather than of the payment. */
  refundId: string | null;
  subject: string | null;
  body: string;
  status: 'queued' | 'sent' | 'failed' | 'suppressed';
  provider: string | null;
  providerId: string | null;
  error: string | null;
  attemptCount: number;
  nextAttemptAt: string;
  lockedUntil: string | null;
  createdBy: string;
  createdAt: string;
  sentAt: string | null;
}

export interface CoverageTable {
  id: string;
  practiceId: string;
  patientId: string;
  coverageOrder: number;
  payerName: string;
  payerId: string;
  memberId: string;
  planName: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: string;
}

export interface TreatmentTable {
  id: string;
  practiceId: string;
  patientId: string;
  locationId: string;
  serviceDate: string;
  serviceTime: string | null;
  physician: string;
  chargeCents: number;
  patientResponsibilityCents: number;
  /** Sum of active applications: the treatment's limit is enforced on it with a conditional update. */
  appliedCents: ColumnType<number, number | undefined, number>;
  /** self_pay | awaiting (time-of-service money is held for it) | settled */
  insuranceStatus: ColumnType<string, string | undefined, string>;
  createdAt: string;
}

export interface TreatmentLineTable {
  id: string;
  practiceId: string;
  treatmentId: string;
  lineNumber: number;
  cpt: string;
  chargeCents: number;
  units: number;
}

export interface PaymentTable {
  id: string;
  practiceId: string;
  number: number;
  patientId: string;
  /** Lower-cased "last, first" copied from the patient: the sort and search key of the list. */
  patientName: string;
  locationId: string | null;
  treatmentId: string | null;
  amountCents: number;
  refundedCents: number;
  /** Reserved for refunds still with the processor; refunded + refunding never exceeds the amount. */
  refundingCents: ColumnType<number, number | undefined, number>;
  appliedCents: number;
  status: string;
  type: string;
  method: string | null;
  checkNumber: string | null;
  dueDate: string | null;
  paidDate: string | null;
  memo: string | null;
  linkToken: string | null;
  linkExpiresAt: string | null;
  /** The processor's charge id for card and online payments; refunds go back through it. */
  processorReference: ColumnType<string | null, string | null | undefined, string | null>;
  /** The card charge now with the processor (its processor idempotency key): while set, the payment is locked. */
  chargeAttempt: ColumnType<string | null, string | null | undefined, string | null>;
  cardLast4: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export interface ApplicationTable {
  id: string;
  practiceId: string;
  paymentId: string;
  treatmentId: string;
  patientId: string;
  amountCents: number;
  createdAt: string;
  createdBy: string;
  /** Unapplying keeps the record and stamps it; only active applications count. */
  removedAt: string | null;
  removedBy: string | null;
}

export interface RefundTable {
  id: string;
  practiceId: string;
  paymentId: string;
  patientId: string;
  amountCents: number;
  reason: string;
  notes: string | null;
  method: string;
  status: string;
  processorReference: string | null;
  processorKey: string | null;
  failureReason: string | null;
  failureKind: string | null;
  creditId: string | null;
  idempotencyKey: string | null;
  createdAt: string;
  createdBy: string;
  settledAt: string | null;
}

export interface CreditTable {
  id: string;
  practiceId: string;
  patientId: string;
  amountCents: number;
  remainingCents: number;
  source: string;
  refundId: string | null;
  paymentId: string | null;
  transferredFromId: string | null;
  reference: string | null;
  description: string | null;
  createdAt: string;
  createdBy: string;
}

export interface ClaimTable {
  id: string;
  practiceId: string;
  treatmentId: string;
  patientId: string;
  coverageOrder: number;
  payerName: string;
  payerId: string;
  memberId: string;
  controlNumber: string;
  status: string;
  billedCents: number;
  paidCents: number;
  contractualCents: number;
  patientResponsibilityCents: number;
  processedDate: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface RemittanceTable {
  id: string;
  practiceId: string;
  fileSha256: string;
  fileName: string | null;
  fileBytes: number;
  claimCount: number;
  postedCount: number;
  exceptionCount: number;
  duplicateCount: number;
  warnings: string;
  createdAt: string;
  createdBy: string;
}

export interface RemittancePaymentTable {
  id: string;
  practiceId: string;
  remittanceId: string;
  controlNumber: string;
  payerName: string | null;
  payerId: string | null;
  traceNumber: string | null;
  paymentCents: number;
  paymentDate: string | null;
  providerAdjustmentCents: number;
  balanced: number;
  status: string;
  message: string | null;
  /** The set's content (envelope control numbers left out). */
  contentSha256: string | null;
  /** The same while the payment stands posted: unique per practice. */
  postedContentSha256: string | null;
  createdAt: string;
}

export interface RemittanceClaimTable {
  id: string;
  practiceId: string;
  remittanceId: string;
  remittancePaymentId: string;
  claimId: string | null;
  patientControlNumber: string;
  statusCode: string;
  chargeCents: number;
  paidCents: number;
  patientResponsibilityCents: number;
  contractualCents: number;
  detail: string;
  outcome: string;
  message: string | null;
  segmentNumber: number | null;
  /** The claim while this row is its live posting (unique): cleared by a reversal. */
  postingClaimId: string | null;
  contentSha256: string | null;
  exceptionStatus: 'open' | 'matched' | 'resolved' | null;
  reasonCode: string | null;
  suspenseCents: number;
  duplicateOfRemittanceId: string | null;
  /** How the exception left the queue by hand (returned_to_payer, not_ours, …), with the note and who did it. */
  resolution: ColumnType<string | null, string | null | undefined, string | null>;
  resolutionNote: ColumnType<string | null, string | null | undefined, string | null>;
  resolvedAt: ColumnType<string | null, string | null | undefined, string | null>;
  resolvedBy: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: string;
}

export interface PayerBalanceItemTable {
  id: string;
  practiceId: string;
  payerName: string | null;
  payerId: string | null;
  amountCents: number;
  direction: 'owed_to_payer' | 'owed_by_payer';
  source: 'provider_adjustment' | 'exception_resolved' | 'reversal_without_correction' | 'paid_more_than_billed';
  booked: number;
  remittancePaymentId: string;
  remittanceClaimId: string | null;
  providerAdjustmentId: string | null;
  reasonCode: string | null;
  reference: string | null;
  description: string;
  identifiedDate: string;
  deadlineDate: string;
  settledDate: string | null;
  settlement: ColumnType<string | null, string | null | undefined, string | null>;
  settlementNote: ColumnType<string | null, string | null | undefined, string | null>;
  settledBy: ColumnType<string | null, string | null | undefined, string | null>;
  offsetItemId: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: string;
}

export interface ProviderAdjustmentTable {
  id: string;
  practiceId: string;
  remittancePaymentId: string;
  providerId: string | null;
  fiscalPeriodDate: string | null;
  reasonCode: string;
  referenceId: string | null;
  amountCents: number;
}

export interface TaskTable {
  id: string;
  practiceId: string;
  patientId: string;
  type: string;
  status: string;
  amountCents: number;
  dueDate: string;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: string | null;
}

export interface PaymentNoteTable {
  id: string;
  practiceId: string;
  paymentId: string;
  text: string;
  authorId: string;
  authorName: string;
  createdAt: string;
}

export interface PaymentDocumentTable {
  id: string;
  practiceId: string;
  paymentId: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  createdAt: string;
  createdBy: string;
}

export interface AuditEventTable {
  id: string;
  practiceId: string;
  actorType: string;
  actorId: string;
  action: string;
  entityType: string;
  entityId: string;
  /** JSON text, null for creations. */
  before: string | null;
  /** JSON text, null for deletions. */
  after: string | null;
  createdAt: string;
}

export interface IdempotencyKeyTable {
  practiceId: string;
  key: string;
  /** sha256 over method, route and body: the same key with another request is a 409. */
  requestHash: string;
  responseStatus: number;
  responseBody: string;
  createdAt: string;
  /** pending while the first request is at work (a processor call), done once its answer is stored. */
  state: ColumnType<'pending' | 'done', 'pending' | 'done' | undefined, 'pending' | 'done'>;
}

export interface JournalEntryTable {
  id: string;
  practiceId: string;
  kind: string;
  paymentId: string | null;
  memo: string | null;
  createdAt: string;
  createdBy: string;
  /** The record that explains the entry (payment, refund, application, credit, treatment, remittance_payment). */
  sourceType: ColumnType<string | null, string | null | undefined, never>;
  sourceId: ColumnType<string | null, string | null | undefined, never>;
}

export interface JournalLineTable {
  id: string;
  entryId: string;
  practiceId: string;
  account: string;
  patientId: string | null;
  paymentId: string | null;
  treatmentId: string | null;
  /** Positive is a debit, negative a credit; an entry's lines sum to zero. */
  amountCents: number;
}

export interface OutboxEventTable {
  id: string;
  practiceId: string;
  type: string;
  payload: string;
  createdAt: string;
  deliveredAt: string | null;
  attempts: ColumnType<number, number | undefined, number>;
}

export interface EligibilityCheckTable {
  id: string;
  practiceId: string;
  patientId: string;
  /** manual | x12_271 */
  source: string;
  /** active | inactive | rejected */
  status: string;
  payerName: string | null;
  payerId: string | null;
  memberId: string | null;
  serviceType: string | null;
  copayCents: number | null;
  /** Hundredths of a percent (20 % = 2000); null when the 271 did not state it. */
  coinsuranceBasisPoints: number | null;
  deductibleRemainingCents: number | null;
  deductibleTotalCents: number | null;
  oopRemainingCents: number | null;
  oopTotalCents: number | null;
  /** JSON text: the per-procedure benefits. */
  procedures: string;
  /** JSON text: the AAA rejections. */
  rejections: string;
  /** JSON text: warnings about the data. */
  warnings: string;
  raw: string | null;
  /** JSON: every EB benefit as read (null for manual entries and older checks). */
  benefits: string | null;
  createdAt: string;
  createdBy: string;
}

export interface FeeScheduleEntryTable {
  practiceId: string;
  payerId: string;
  cpt: string;
  allowedCents: number;
  updatedAt: string;
  updatedBy: string;
}

export interface PortalSessionTable {
  /** sha256 of the portal token. */
  id: string;
  practiceId: string;
  patientId: string;
  createdAt: string;
  expiresAt: string;
}

export interface PortalAttemptTable {
  id: string;
  accountKey: string;
  clientAddress: string | null;
  /** pending | failed | succeeded | limited */
  outcome: string;
  createdAt: string;
}

export type EligibilityCheckRow = Selectable<EligibilityCheckTable>;
export type PracticeRow = Selectable<PracticeTable>;
export type PaymentRow = Selectable<PaymentTable>;
export type NewPayment = Insertable<PaymentTable>;
export type PaymentUpdate = Updateable<PaymentTable>;
export type PatientRow = Selectable<PatientTable>;
export type MessageRow = Selectable<MessageTable>;
export type UserRow = Selectable<UserTable>;
export type TreatmentRow = Selectable<TreatmentTable>;

export interface WebhookEndpointTable {
  id: string;
  practiceId: string;
  url: string;
  description: string;
  /** JSON array of event types, "group.*" wildcards or "*". */
  events: string;
  secret: string;
  disabledAt: string | null;
  deletedAt: string | null;
  createdAt: string;
  updatedAt: string;
}
export type WebhookEndpointRow = Selectable<WebhookEndpointTable>;

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveryTable {
  id: string;
  practiceId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  attemptCount: ColumnType<number, number | undefined, number>;
  nextAttemptAt: string;
  giveUpAt: string;
  lockedUntil: string | null;
  lastResponseCode: number | null;
  deliveredAt: string | null;
  createdAt: string;
}
export type WebhookDeliveryRow = Selectable<WebhookDeliveryTable>;

export interface WebhookAttemptTable {
  id: string;
  practiceId: string;
  deliveryId: string;
  attemptedAt: string;
  durationMs: number;
  responseCode: number | null;
  /** 1 or 0 (SQLite has no boolean). */
  succeeded: number;
  error: string | null;
  manual: ColumnType<number, number | undefined, number>;
}

export type ProcessorDisputeStatus = 'open' | 'won' | 'lost';

export interface ProcessorDisputeTable {
  id: string;
  practiceId: string;
  paymentId: string;
  patientId: string;
  processor: string;
  processorDisputeId: string;
  amountCents: number;
  reason: string;
  status: ProcessorDisputeStatus;
  /** The payment's status when the dispute opened (paid or partially_refunded). */
  statusBefore: string;
  evidenceDueBy: string | null;
  taskId: string | null;
  refundId: string | null;
  openedAt: string;
  closedAt: string | null;
}

export interface ProcessorPayoutTable {
  id: string;
  practiceId: string;
  processor: string;
  processorPayoutId: string;
  amountCents: number;
  arrivalDate: string;
  status: string;
  createdAt: string;
}

export type ProcessorPayoutItemType = 'charge' | 'refund' | 'dispute' | 'adjustment' | 'fee';

export interface ProcessorPayoutItemTable {
  id: string;
  practiceId: string;
  payoutId: string;
  balanceTransactionId: string;
  type: ProcessorPayoutItemType;
  amountCents: number;
  feeCents: number;
  netCents: number;
  sourceReference: string | null;
  paymentId: string | null;
  refundId: string | null;
  disputeId: string | null;
  /** The dashboard charge it carried (ADR 0028), booked or held. */
  processorReceiptId: string | null;
  description: string | null;
  createdAt: string;
}

/** booked: a patient's payment at once; held: on unidentified_receipts; assigned: a biller made it a payment; returned: refunded in the processor's dashboard. */
export type ProcessorReceiptStatus = 'booked' | 'held' | 'assigned' | 'returned';

export interface ProcessorReceiptTable {
  id: string;
  practiceId: string;
  processor: string;
  processorReference: string;
  amountCents: number;
  status: ProcessorReceiptStatus;
  payerEmail: string | null;
  description: string | null;
  paymentId: string | null;
  receivedAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  /** Given back to the cardholder while nobody was named (ADR 0029): the sum of its returns. */
  returnedCents: number;
  /** Our Return button's processor refund is under way. */
  returnStartedAt: string | null;
  /** The one dispute the processor allows on the charge, while the receipt names nobody. */
  disputeReference: string | null;
  disputeAmountCents: number | null;
  disputeReason: string | null;
  disputeStatus: ProcessorDisputeStatus | null;
  disputeEvidenceDueBy: string | null;
  disputeOpenedAt: string | null;
  disputeClosedAt: string | null;
}

export type ProcessorReceiptReturnKind = 'refund' | 'chargeback';

export interface ProcessorReceiptReturnTable {
  id: string;
  practiceId: string;
  receiptId: string;
  kind: ProcessorReceiptReturnKind;
  processorReference: string;
  amountCents: number;
  createdAt: string;
  createdBy: string;
}
