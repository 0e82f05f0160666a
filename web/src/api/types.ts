/**
 * The shapes the API answers with. They come from the server's own zod
 * contracts (src/contracts, shared by design), so a change there breaks this
 * build instead of the browser. Type-only imports: nothing of zod is bundled.
 * Money is always integer cents.
 */
import type { z } from 'zod';
import type {
  application,
  chargeResult,
  dashboard,
  document,
  note,
  payment,
  paymentDetail,
  paymentLink,
  paymentSorts,
  listPaymentsQuery,
  createPaymentBody,
  refund,
  refundBody,
  refundResult,
  updatePaymentBody,
} from '../../../src/contracts/payments.ts';
import type { appliedCredit, createCreditBody, credit, creditList } from '../../../src/contracts/credits.ts';
import type { importWarning, postedClaim, remittanceImport, remittanceSummary } from '../../../src/contracts/remittances.ts';
import type { completeTaskBody, task, taskRefundMethod, taskStatus } from '../../../src/contracts/tasks.ts';
import type { balance, coverage, patient, patientDetail, patientTreatmentSummary } from '../../../src/contracts/patients.ts';
import type { claim, treatment } from '../../../src/contracts/treatments.ts';
import type { PaymentMethod, PaymentStatus, PaymentType } from '../../../src/contracts/rules.ts';
import type { Role } from '../../../src/contracts/rules.ts';
import type { RefundReason } from '../../../src/contracts/rules.ts';
import type { listOf } from '../../../src/contracts/common.ts';
import type { sessionUser } from '../../../src/contracts/practice-setup.ts';

export type { PaymentMethod, PaymentStatus, PaymentType, RefundReason, Role };

export type Session = z.infer<typeof sessionUser>;
/** The server sends the role as a string; the app checks it with isRole before relying on it. */
export type SessionUser = Session['user'];
export type Practice = Session['practice'];

/** One page of a list, as every list endpoint answers it (listOf in the contracts). */
export type Page<T> = Omit<z.infer<ReturnType<typeof listOf>>, 'items'> & { items: T[] };

export type PaymentSort = (typeof paymentSorts)[number];
/** The sortable columns as a value for the URL reader (the contract module itself would bundle zod). */
export const PAYMENT_SORTS = ['createdAt', 'amount', 'dueDate', 'status', 'patientName'] as const satisfies readonly PaymentSort[];
export type SortOrder = z.infer<typeof listPaymentsQuery>['order'];

export type Payment = z.infer<typeof payment>;
export type PaymentDetail = z.infer<typeof paymentDetail>;
export type PaymentTreatment = NonNullable<PaymentDetail['treatment']>;
export type PaymentLink = z.infer<typeof paymentLink>;
export type NewPayment = z.input<typeof createPaymentBody>;
export type PaymentChanges = z.input<typeof updatePaymentBody>;
export type Note = z.infer<typeof note>;
export type PaymentDocument = z.infer<typeof document>;
export type Dashboard = z.infer<typeof dashboard>;

export type Patient = z.infer<typeof patient>;
export type PatientBalance = z.infer<typeof balance>;
export type PatientTreatmentSummary = z.infer<typeof patientTreatmentSummary>;
export type Coverage = z.infer<typeof coverage>;
export type PatientDetail = z.infer<typeof patientDetail>;
export type Treatment = z.infer<typeof treatment>;

export type { Location } from '../../../src/contracts/practice-setup.ts';

export type Claim = z.infer<typeof claim>;
export type InsuranceStatus = Treatment['insuranceStatus'];

export type Refund = z.infer<typeof refund>;
export type RefundMethod = Refund['method'];
export type NewRefund = z.input<typeof refundBody>;
/** POST /payments/:id/refunds answers the refund with the payment as it is now. */
export type RefundResult = z.infer<typeof refundResult>;
export type Application = z.infer<typeof application>;

export type Credit = z.infer<typeof credit>;
export type CreditList = z.infer<typeof creditList>;
export type NewCredit = z.input<typeof createCreditBody>;
export type AppliedCredit = z.infer<typeof appliedCredit>;

export type RemittanceImport = z.infer<typeof remittanceImport>;
export type RemittanceSummary = z.infer<typeof remittanceSummary>;
export type PostedClaim = z.infer<typeof postedClaim>;
export type ImportWarning = z.infer<typeof importWarning>;

export type Task = z.infer<typeof task>;
export type TaskStatus = z.infer<typeof taskStatus>;
export type TaskRefundMethod = z.infer<typeof taskRefundMethod>;
export type CompleteTask = z.input<typeof completeTaskBody>;

/** POST /payments/:id/charge answers the payment with the processor's reason when it failed. */
export type ChargeResult = z.infer<typeof chargeResult>;
