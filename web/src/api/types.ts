/**
 * The shapes the API answers with. They come from the server's own zod
 * contracts (src/contracts, shared by design), so a change there breaks this
 * build instead of the browser. Type-only imports: nothing of zod is bundled.
 * Money is always integer cents.
 */
import type { z } from 'zod';
import type {
  dashboard,
  document,
  note,
  payment,
  paymentDetail,
  paymentLink,
  createPaymentBody,
  updatePaymentBody,
} from '../../../src/contracts/payments.ts';
import type { balance, coverage, patient, patientDetail, patientTreatmentSummary } from '../../../src/contracts/patients.ts';
import type { treatment } from '../../../src/contracts/treatments.ts';
import type { PaymentMethod, PaymentStatus, PaymentType } from '../../../src/domain/payments/payment-status.ts';
import type { Role } from '../../../src/domain/roles.ts';

export type { PaymentMethod, PaymentStatus, PaymentType, Role };

export interface SessionUser {
  id: string;
  email: string | null;
  name: string;
  /** The server sends a string; the app checks it with isRole before relying on it. */
  role: string;
}

export interface Practice {
  id: string;
  slug: string;
  name: string;
}

export interface Session {
  user: SessionUser;
  practice: Practice;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export const PAYMENT_SORTS = ['createdAt', 'amount', 'dueDate', 'status', 'patientName'] as const;
export type PaymentSort = (typeof PAYMENT_SORTS)[number];
export type SortOrder = 'asc' | 'desc';

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

export interface Location {
  id: string;
  name: string;
}
