import { z } from 'zod';
import { amountCents, asOfDate, calendarDate, cents, id, pageQuery } from './common.ts';

/** refund_owed: money to give back (refund review); dispute: a cardholder disputed a card payment — send evidence by the due date. */
export const taskType = z.enum(['refund_owed', 'dispute']);
export type TaskType = z.infer<typeof taskType>;

export const taskStatus = z.enum(['open', 'completed', 'dismissed']);
export type TaskStatus = z.infer<typeof taskStatus>;

/** How the money went back: cash or a check handed over, a card refund, or the way it was paid. */
export const taskRefundMethod = z.enum(['cash', 'check', 'card', 'original']);
export type TaskRefundMethod = z.infer<typeof taskRefundMethod>;

/** What closed the task: the refund recorded, or the money kept as patient credit. */
export const taskResolution = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('refund'),
    refundDate: calendarDate,
    amountCents: cents,
    method: taskRefundMethod,
    reference: z.string().nullable(),
    refundIds: z.array(id),
  }),
  z.object({
    kind: z.literal('credit'),
    amountCents: cents,
    creditIds: z.array(id),
  }),
]);
export type TaskResolution = z.infer<typeof taskResolution>;

export const task = z.object({
  id,
  patientId: id,
  patientName: z.string(),
  type: taskType,
  status: taskStatus,
  amountCents: cents,
  /** The day the task became due (the last claim's processed date + the review days). */
  dueDate: z.string(),
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolution: taskResolution.nullable(),
});
export type Task = z.infer<typeof task>;

export const listTasksQuery = pageQuery.extend({
  type: taskType.optional(),
  status: taskStatus.optional(),
  patientId: id.optional(),
});
export type ListTasksQuery = z.infer<typeof listTasksQuery>;

export const completeTaskBody = z.object({
  /** The day the money went back. */
  refundDate: calendarDate,
  amountCents,
  method: taskRefundMethod,
  /** Check number, card refund reference, who handed the cash back… */
  reference: z.string().trim().max(500).optional(),
});
export type CompleteTaskBody = z.infer<typeof completeTaskBody>;

export const runRefundReviewBody = z
  .object({
    /** The day to review as of; today (UTC) when left out. */
    asOf: asOfDate.optional(),
    /** Days to wait after the last claim is processed; the configured REFUND_REVIEW_DAYS (45) when left out. */
    days: z.number().int().min(0).max(3650).optional(),
  })
  // POST without a body: Fastify hands over null.
  .nullish();

export const refundReviewResult = z.object({
  asOf: calendarDate,
  days: z.number().int(),
  /** Cases (patients) whose claims are all finished long enough ago, with money left over. */
  reviewed: z.number().int(),
  tasksCreated: z.number().int(),
});
