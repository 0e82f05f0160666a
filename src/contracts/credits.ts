import { z } from 'zod';
import { amountCents, cents, id } from './common.ts';
import { application } from './payments.ts';

export const createCreditBody = z.object({
  amountCents,
  reference: z.string().trim().max(200).optional(),
  description: z.string().trim().max(2000).optional(),
});

export const credit = z.object({
  id,
  patientId: id,
  amountCents: cents,
  remainingCents: cents,
  source: z.enum(['refund', 'manual', 'task_dismissal', 'transfer']),
  refundId: z.string().nullable(),
  paymentId: z.string().nullable(),
  transferredFromId: z.string().nullable(),
  reference: z.string().nullable(),
  description: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
});

export const creditList = z.object({
  items: z.array(credit),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  availableCents: cents,
});

export const applyCreditBody = z.object({ creditId: id, amountCents });
export const appliedCredit = z.object({ credit, paymentId: id, application });
export const transferCreditBody = z.object({ toPatientId: id });
