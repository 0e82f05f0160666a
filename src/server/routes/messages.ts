import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id } from '../../contracts/common.ts';
import { messageList, queuedMessage, sendMessageBody } from '../../contracts/messages.ts';
import type { Config } from '../../config/config.ts';
import type { Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { handleInboundSms } from '../../services/messages/inbound-sms.ts';
import { listPatientMessages } from '../../services/messages/list-messages.ts';
import { sendPaymentLink, sendReceipt, sendRefundReceipt, sendStatement } from '../../services/messages/queue-message.ts';
import { actorOf } from '../plugins/authentication.ts';

const params = z.object({ id });
const accepted = { 202: queuedMessage };
const sendSummary = ' by email or SMS: 202 with the message queued (an SMS in quiet hours waits for 8 am), 400 for a bad address (nothing written), 422 recipient_opted_out (logged as suppressed)';

/** Email and SMS to patients (ADR 0021): sends queue a message; a worker delivers it after commit. */
export async function messageRoutes(app: FastifyInstance, { db, config }: { db: Db; config: Config }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const send = { publicUrl: config.publicUrl };

  r.post(
    '/payments/:id/link/send',
    {
      config: { permission: 'payments:write' },
      schema: { tags: ['messages'], summary: `Send the payment's link (made now when it has no live one)${sendSummary}`, params, body: sendMessageBody, response: accepted },
    },
    async (request, reply) => reply.status(202).send(await sendPaymentLink(db, actorOf(request), request.params.id, request.body, send)),
  );
  r.post(
    '/payments/:id/receipt/send',
    {
      config: { permission: 'payments:write' },
      schema: { tags: ['messages'], summary: `Send the receipt of a collected payment (the PDF by email; a one-line notice by SMS)${sendSummary}`, params, body: sendMessageBody, response: accepted },
    },
    async (request, reply) => reply.status(202).send(await sendReceipt(db, actorOf(request), request.params.id, request.body, send)),
  );
  r.post(
    '/refunds/:id/receipt/send',
    {
      config: { permission: 'payments:write' },
      schema: { tags: ['messages'], summary: `Send the receipt of a refund that went through (the PDF by email; a one-line notice by SMS)${sendSummary}`, params, body: sendMessageBody, response: accepted },
    },
    async (request, reply) => reply.status(202).send(await sendRefundReceipt(db, actorOf(request), request.params.id, request.body, send)),
  );
  r.post(
    '/patients/:id/statement/send',
    {
      config: { permission: 'payments:write' },
      schema: { tags: ['messages'], summary: `Send the patient's statement (the PDF by email; the balance due by SMS)${sendSummary}`, params, body: sendMessageBody, response: accepted },
    },
    async (request, reply) => reply.status(202).send(await sendStatement(db, actorOf(request), request.params.id, request.body, send)),
  );
  r.get(
    '/patients/:id/messages',
    {
      config: { permission: 'payments:read' },
      schema: { tags: ['messages'], summary: 'Every email and SMS for the patient, newest first: queued, sent, failed or suppressed', params, response: { 200: messageList } },
    },
    async (request) => listPatientMessages(db, actorOf(request), request.params.id),
  );

  // Twilio posts inbound texts as a form.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.post(
    '/webhooks/twilio/sms',
    { config: { public: true, rateLimit: { max: 120, timeWindow: '1 minute' } }, schema: { hide: true } },
    async (request, reply) => {
      const form = (request.body ?? {}) as Record<string, string>;
      if (config.twilio) {
        const signature = request.headers['x-twilio-signature'];
        // Twilio signs the URL it was given: ours as the public address.
        const url = `${config.publicUrl}${request.url}`;
        // Imported here, not at start: the package is slow to load and only this route needs its validator.
        const { validateRequest } = await import('twilio');
        if (typeof signature !== 'string' || !validateRequest(config.twilio.authToken, signature, url, form)) {
          throw new AppError('forbidden', 'The Twilio signature does not match.');
        }
      } else if (config.nodeEnv === 'production') {
        // The sandbox takes unsigned test calls, but never in production.
        throw new AppError('not_found', 'Twilio is not configured.');
      }
      await handleInboundSms(db, { from: String(form.From ?? ''), body: String(form.Body ?? '') });
      return reply.header('content-type', 'text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    },
  );
}
