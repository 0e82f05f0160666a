import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { chargeOutcome, finishChargeBody, linkStartResult, payLinkBody, paymentLinkView } from '../../contracts/portal.ts';
import type { Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { idempotencyKeyOf } from '../plugins/idempotency.ts';
import { finishLinkCardPayment, payPaymentLink, startLinkCardPayment } from '../../services/payment-links/pay-payment-link.ts';
import { viewPaymentLink } from '../../services/payment-links/view-payment-link.ts';
import type { PaymentProcessor } from '../../services/processors/payment-processor.ts';

const params = z.object({ token: z.string().min(1).max(200) });

/**
 * The API behind the page a payment link opens (`/pay/:token`). Public: the
 * link's unguessable token is the credential; staff sessions are not used.
 */
export async function paymentLinkRoutes(app: FastifyInstance, { db, processor }: { db: Db; processor: PaymentProcessor }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  r.get(
    '/pay/:token',
    {
      config: { public: true, rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: {
        tags: ['payment links'],
        summary: 'What a payment link pays: practice, payment number, amount, and whether it can be paid (expired, paid or cancelled links say so)',
        security: [],
        params,
        response: { 200: paymentLinkView },
      },
    },
    async (request) => viewPaymentLink(db, request.params.token),
  );

  r.post(
    '/pay/:token',
    {
      config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['payment links'],
        summary: 'Pay a payment link by card: Processing, then Paid or Failed; 410 when expired, 422 when paid or cancelled (Idempotency-Key supported)',
        security: [],
        params,
        body: payLinkBody,
        response: { 200: chargeOutcome },
      },
    },
    async (request) => {
      const key = idempotencyKeyOf(request);
      return payPaymentLink(db, processor, request.params.token, request.body.card, key);
    },
  );

  r.post(
    '/pay/:token/start',
    {
      config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['payment links'],
        summary: "Pay a payment link with Stripe: the charge the browser confirms in Stripe's element (Idempotency-Key supported); nothing is booked yet",
        security: [],
        params,
        response: { 200: linkStartResult },
      },
    },
    async (request) => startLinkCardPayment(db, processor, request.params.token, idempotencyKeyOf(request)),
  );

  r.post(
    '/pay/:token/finish',
    {
      config: { public: true, rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: ['payment links'],
        summary: 'Book the charge the browser confirmed for a payment link, as Stripe reports it; safe to repeat',
        security: [],
        params,
        body: finishChargeBody,
        response: { 200: chargeOutcome },
      },
    },
    async (request) => finishLinkCardPayment(db, processor, request.params.token, request.body.chargeReference),
  );
}
