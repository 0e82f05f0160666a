import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { cardEntry, portalAccount, portalFinishBody, portalLookup, portalLookupBody, portalPayBody, portalPayResult, portalSessionBody, portalStartBody, portalStartResult } from '../../contracts/portal.ts';
import type { Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { idempotencyKeyOf } from '../plugins/idempotency.ts';
import type { PaymentProcessor } from '../../services/processors/payment-processor.ts';
import { lookUpPortalAccount } from '../../services/portal/look-up-portal-account.ts';
import { finishPortalCardPayment, payFromPortal, startPortalCardPayment } from '../../services/portal/pay-from-portal.ts';
import { portalAccountSummary } from '../../services/portal/portal-account-summary.ts';
import { requirePortalSession } from '../../services/portal/portal-sessions.ts';

/**
 * The patient portal (SPEC section 7). Public: no staff session is needed,
 * and none is used — a staff cookie or token on these requests changes
 * nothing; the patient is whoever the portal token says. Each route is
 * rate-limited per client address here (in memory, a first line), and lookups
 * per account ID in the database (the limit that holds across instances).
 */
export async function portalRoutes(app: FastifyInstance, { db, processor }: { db: Db; processor: PaymentProcessor }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // Balances are personal: never cached by the browser or a proxy.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  r.post(
    '/portal/lookup',
    {
      config: { public: true, rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: ['portal'],
        summary: 'Patient portal: find an account by date of birth and account ID (uniform 404 on any mismatch; 429 after repeated failures)',
        security: [],
        body: portalLookupBody,
        response: { 200: portalLookup },
      },
    },
    async (request, reply) => {
      const outcome = await lookUpPortalAccount(db, request.body, { clientAddress: request.ip ?? null });
      if (!outcome.found) {
        void reply.header('retry-after', String(outcome.retryAfterSeconds));
        throw new AppError(
          'rate_limited',
          `Too many attempts for this account ID. Try again in ${Math.ceil(outcome.retryAfterSeconds / 60)} minutes, or contact the practice.`,
        );
      }
      return outcome.account;
    },
  );

  r.post(
    '/portal/account',
    {
      config: { public: true, rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: {
        tags: ['portal'],
        summary: 'Patient portal: the balance and visits of the patient the portal token speaks for',
        security: [],
        body: portalSessionBody,
        response: { 200: portalAccount },
      },
    },
    async (request) => {
      const { actor, patientId } = await requirePortalSession(db, request.body.portalToken);
      return portalAccountSummary(db, actor, patientId);
    },
  );

  r.post(
    '/portal/pay',
    {
      config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['portal'],
        summary: 'Patient portal: pay all or part of the balance by card (Idempotency-Key supported); applied to the oldest visits first',
        security: [],
        body: portalPayBody,
        response: { 200: portalPayResult },
      },
    },
    async (request) => {
      const key = idempotencyKeyOf(request);
      return payFromPortal(db, processor, request.body, key);
    },
  );

  r.get(
    '/card-entry',
    {
      config: { public: true, rateLimit: { max: 120, timeWindow: '1 minute' } },
      schema: {
        tags: ['portal'],
        summary: "How cards are entered: the sandbox's test-card field, or the processor's own element (Stripe), with its publishable key",
        security: [],
        response: { 200: cardEntry },
      },
    },
    async () => ({
      processor: processor.name,
      mode: processor.hostedCardEntry ? ('processor_element' as const) : ('our_form' as const),
      publishableKey: processor.hostedCardEntry?.publishableKey ?? null,
    }),
  );

  r.post(
    '/portal/pay/start',
    {
      config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['portal'],
        summary: "Patient portal with Stripe: create the payment and the charge the browser confirms in Stripe's element (Idempotency-Key supported); nothing is booked yet",
        security: [],
        body: portalStartBody,
        response: { 200: portalStartResult },
      },
    },
    async (request) => startPortalCardPayment(db, processor, request.body, idempotencyKeyOf(request)),
  );

  r.post(
    '/portal/pay/finish',
    {
      config: { public: true, rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: ['portal'],
        summary: 'Patient portal with Stripe: book the charge the browser confirmed, as Stripe reports it (Paid and applied, Failed, or still Processing); safe to repeat',
        security: [],
        body: portalFinishBody,
        response: { 200: portalPayResult },
      },
    },
    async (request) => finishPortalCardPayment(db, processor, request.body),
  );
}
