import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id, listOf, pageQuery } from '../../contracts/common.ts';
import { application, applyPaymentBody, payment, refund, refundBody, refundResult } from '../../contracts/payments.ts';
import type { Config } from '../../config/config.ts';
import type { Db } from '../../db/transaction.ts';
import { applyPayment, listApplications, unapplyPayment } from '../../services/applications/apply-payment.ts';
import { overAppliedPayments } from '../../services/payments/over-applied-payments.ts';
import type { PaymentProcessor } from '../../services/processors/payment-processor.ts';
import { listRefunds, refundPayment } from '../../services/refunds/refund-payment.ts';
import { actorOf } from '../plugins/authentication.ts';
import { idempotencyOf, idempotent } from '../plugins/idempotency.ts';

const params = z.object({ id });

export async function refundRoutes(app: FastifyInstance, { db, config, processor }: { db: Db; config: Config; processor: PaymentProcessor }) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/payments/:id/refunds',
    {
      config: { permission: 'refunds:write' },
      schema: {
        tags: ['refunds'],
        summary: 'Refund a Paid or Partially Refunded payment, in full or in part, as money back or as credit (Idempotency-Key supported)',
        params,
        body: refundBody,
        response: { 201: refundResult },
      },
    },
    async (request, reply) => {
      const result = await refundPayment(db, actorOf(request), request.params.id, request.body, {
        processor,
        publicUrl: config.publicUrl,
        idempotency: idempotencyOf(request),
      });
      return reply.status(201).send(result);
    },
  );
  r.get(
    '/payments/:id/refunds',
    { config: { permission: 'payments:read' }, schema: { tags: ['refunds'], summary: 'Refunds of a payment', params, response: { 200: listOf(refund) } } },
    async (request) => listRefunds(db, actorOf(request), request.params.id),
  );

  r.post(
    '/payments/:id/applications',
    {
      config: { permission: 'applications:write' },
      schema: {
        tags: ['applications'],
        summary: "Apply part of a payment to a treatment's patient responsibility (Idempotency-Key supported)",
        params,
        body: applyPaymentBody,
        response: { 201: application },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const result = await idempotent(db, request, 201, (trx) => applyPayment(trx, actor, request.params.id, request.body));
      return reply.status(result.status).send(result.body);
    },
  );
  r.get(
    '/payments/:id/applications',
    { config: { permission: 'payments:read' }, schema: { tags: ['applications'], summary: 'Applications of a payment (removed ones included, stamped)', params, response: { 200: listOf(application) } } },
    async (request) => listApplications(db, actorOf(request), request.params.id),
  );
  r.delete(
    '/applications/:id',
    {
      config: { permission: 'applications:write' },
      schema: { tags: ['applications'], summary: 'Unapply: take an application back (the record stays, stamped removed) (Idempotency-Key supported)', params, response: { 200: application } },
    },
    async (request) => {
      const actor = actorOf(request);
      return (await idempotent(db, request, 200, (trx) => unapplyPayment(trx, actor, request.params.id))).body;
    },
  );
  r.get(
    '/reports/over-applied',
    {
      config: { permission: 'payments:read' },
      schema: { tags: ['applications'], summary: 'Payments applied beyond what is left of them after refunds', querystring: pageQuery, response: { 200: listOf(payment) } },
    },
    async (request) => overAppliedPayments(db, actorOf(request), request.query, config.publicUrl),
  );
}
