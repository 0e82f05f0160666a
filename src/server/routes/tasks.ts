import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id, listOf } from '../../contracts/common.ts';
import { completeTaskBody, listTasksQuery, refundReviewResult, runRefundReviewBody, task } from '../../contracts/tasks.ts';
import type { Config } from '../../config/config.ts';
import type { Db } from '../../db/transaction.ts';
import type { PaymentProcessor } from '../../services/processors/payment-processor.ts';
import { practiceDate, practiceRefundReviewDays } from '../../services/practices/practice-settings.ts';
import { runRefundReview } from '../../services/tasks/run-refund-review.ts';
import { completeTask, dismissTask, listTasks } from '../../services/tasks/tasks.ts';
import { actorOf } from '../plugins/authentication.ts';
import { idempotencyOf, idempotent } from '../plugins/idempotency.ts';

const params = z.object({ id });

/** Refund-owed tasks (SPEC section 6) and the refund review job that makes them. */
export async function taskRoutes(app: FastifyInstance, { db, config, processor }: { db: Db; config: Config; processor: PaymentProcessor }) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/tasks',
    {
      config: { permission: 'payments:read' },
      schema: { tags: ['tasks'], summary: 'Work items (refund-owed tasks), newest first', querystring: listTasksQuery, response: { 200: listOf(task) } },
    },
    async (request) => listTasks(db, actorOf(request), request.query),
  );
  r.post(
    '/tasks/:id/complete',
    {
      config: { permission: 'tasks:write' },
      schema: {
        tags: ['tasks'],
        summary: "Complete a refund-owed task by recording the refund, taken from the patient's unapplied funds oldest first (Idempotency-Key supported)",
        params,
        body: completeTaskBody,
        response: { 200: task },
      },
    },
    async (request) =>
      completeTask(db, actorOf(request), request.params.id, request.body, { processor, publicUrl: config.publicUrl, idempotency: idempotencyOf(request) }),
  );
  r.post(
    '/tasks/:id/dismiss',
    {
      config: { permission: 'tasks:write' },
      schema: {
        tags: ['tasks'],
        summary: 'Dismiss a refund-owed task without a refund: the money stays as patient credit (Idempotency-Key supported)',
        params,
        response: { 200: task },
      },
    },
    async (request) => dismissTask(db, actorOf(request), request.params.id, { processor, publicUrl: config.publicUrl, idempotency: idempotencyOf(request) }),
  );
  r.post(
    '/jobs/refund-review',
    {
      config: { permission: 'tasks:write' },
      schema: {
        tags: ['tasks'],
        summary: 'Run the refund review now (it also runs daily): one refund-owed task per case with money left after its claims are done (Idempotency-Key supported)',
        body: runRefundReviewBody,
        response: { 200: refundReviewResult },
      },
    },
    async (request) => {
      const practiceId = actorOf(request).practiceId;
      const { asOf = await practiceDate(db, practiceId), days = await practiceRefundReviewDays(db, practiceId, config.refundReviewDays) } = request.body ?? {};
      const result = await idempotent(db, request, 200, async (trx) => {
        const { created: _created, ...summary } = await runRefundReview(trx, actorOf(request), { asOf, days });
        return summary;
      });
      return result.body;
    },
  );
}
