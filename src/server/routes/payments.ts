import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id, listOf } from '../../contracts/common.ts';
import {
  addNoteBody,
  changeStatusBody,
  createLinkBody,
  createPaymentBody,
  chargeResult,
  dashboard,
  dashboardQuery,
  document,
  listPaymentsQuery,
  note,
  payment,
  paymentDetail,
  paymentLink,
  paymentList,
  updatePaymentBody,
} from '../../contracts/payments.ts';
import type { Config } from '../../config/config.ts';
import type { PaymentRow } from '../../db/database.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { changePaymentStatus } from '../../services/payments/change-payment-status.ts';
import { createPayment } from '../../services/payments/create-payment.ts';
import { createPaymentLink } from '../../services/payments/create-payment-link.ts';
import { getPayment } from '../../services/payments/get-payment.ts';
import { listPayments } from '../../services/payments/list-payments.ts';
import { paymentDashboard } from '../../services/payments/payment-dashboard.ts';
import { addPaymentDocument, listPaymentDocuments, openPaymentDocument } from '../../services/payments/payment-documents.ts';
import { addPaymentNote, listPaymentNotes } from '../../services/payments/payment-notes.ts';
import { namesFor, toPayment } from '../../services/payments/payment-views.ts';
import { practiceDate } from '../../services/practices/practice-settings.ts';
import { updatePayment } from '../../services/payments/update-payment.ts';
import { chargeWork, finishHostedCharge, hostedChargeWork } from '../../services/payments/charge-payment.ts';
import { finishChargeBody, hostedStart } from '../../contracts/portal.ts';
import type { PaymentProcessor } from '../../services/processors/payment-processor.ts';
import { actorOf } from '../plugins/authentication.ts';
import { readUploadedFile } from '../uploads.ts';
import { idempotent } from '../plugins/idempotency.ts';
import { answerWithWrites } from '../../services/idempotency/idempotently.ts';

const params = z.object({ id });

export async function paymentRoutes(app: FastifyInstance, { db, config, processor }: { db: Db; config: Config; processor: PaymentProcessor }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const store = { dataDir: config.dataDir, maxBytes: config.maxDocumentBytes };
  const view = async (trx: Db, row: PaymentRow) => toPayment(row, await namesFor(trx, row), config.publicUrl);

  r.post(
    '/payments',
    {
      config: { permission: 'payments:write' },
      schema: {
        tags: ['payments'],
        summary: 'Create a payment (Idempotency-Key supported)',
        body: createPaymentBody,
        response: { 201: payment },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      // One service call is the whole work: it joins the key's transaction, no savepoint. Its last writes go
      // with the key's answer, in one statement (ADR 0064).
      const result = await idempotent(
        db,
        request,
        201,
        async (trx) => {
          const created = await createPayment(trx, actor, request.body, { leaveLastWrites: true });
          return answerWithWrites(toPayment(created.row, created.names, config.publicUrl), created.unsent);
        },
        { undivided: true },
      );
      return reply.status(result.status).send(result.body);
    },
  );

  r.get(
    '/payments',
    {
      config: { permission: 'payments:read' },
      schema: {
        tags: ['payments'],
        summary: 'List payments: filter by status (comma-separated) and location, search, sort, page',
        querystring: listPaymentsQuery,
        response: { 200: paymentList },
      },
    },
    async (request) => listPayments(db, actorOf(request), request.query, config.publicUrl),
  );

  r.get(
    '/payments/:id',
    {
      config: { permission: 'payments:read' },
      schema: { tags: ['payments'], summary: 'A payment with its billing view, patient and treatment', params, response: { 200: paymentDetail } },
    },
    async (request) => getPayment(db, actorOf(request), request.params.id, config.publicUrl),
  );

  r.patch(
    '/payments/:id',
    {
      config: { permission: 'payments:write' },
      schema: {
        tags: ['payments'],
        summary: 'Edit a payment (refused once Paid, refunded or Voided; 409 charge_in_progress while a card charge is with the processor)',
        params,
        body: updatePaymentBody,
        response: { 200: payment },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return inTransaction(db, async (trx) => view(trx, await updatePayment(trx, actor, request.params.id, request.body)), { undivided: true });
    },
  );

  r.post(
    '/payments/:id/status',
    {
      config: { permission: 'payments:write' },
      schema: {
        tags: ['payments'],
        summary: 'Change the status within the allowed changes (Idempotency-Key supported)',
        params,
        body: changeStatusBody,
        response: { 200: payment },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const result = await idempotent(db, request, 200, async (trx) => view(trx, await changePaymentStatus(trx, actor, request.params.id, request.body)), { undivided: true });
      return reply.status(result.status).send(result.body);
    },
  );

  r.post(
    '/payments/:id/charge',
    {
      config: { permission: 'payments:write' },
      schema: {
        tags: ['payments'],
        summary: 'Charge a Pending or Failed payment through the card processor: Processing (locked), then Paid or Failed (Idempotency-Key supported)',
        params,
        body: z.object({ source: z.string().trim().min(1).max(255), method: z.enum(['card', 'online']).optional() }),
        response: { 200: chargeResult },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      // Two-phase: the key and the Pending → Processing claim in one transaction, the processor outside, the booking and the answer in a second.
      const work = chargeWork(actor, async () => request.params.id, request.body, processor, async (trx, charged) => ({ ...(await view(trx, charged.payment)), failure: charged.failure }));
      return (await idempotent(db, request, 200, work)).body;
    },
  );

  r.post(
    '/payments/:id/charge/start',
    {
      config: { permission: 'payments:write' },
      schema: {
        tags: ['payments'],
        summary: "With Stripe: claim a Pending or Failed payment (Processing, locked) and create the charge the browser confirms in Stripe's element (Idempotency-Key supported)",
        params,
        response: { 200: chargeResult.extend(hostedStart.shape) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const work = hostedChargeWork(actor, async () => request.params.id, 'card', processor, async (trx, charged, started) => ({
        ...(await view(trx, charged.payment)),
        failure: charged.failure,
        chargeReference: started?.chargeReference ?? null,
        clientSecret: started?.clientSecret ?? null,
      }));
      return (await idempotent(db, request, 200, work)).body;
    },
  );

  r.post(
    '/payments/:id/charge/finish',
    {
      config: { permission: 'payments:write' },
      schema: {
        tags: ['payments'],
        summary: 'With Stripe: book the charge the browser confirmed, as Stripe reports it (Paid, Failed, or still Processing); safe to repeat',
        params,
        body: finishChargeBody,
        response: { 200: chargeResult },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return finishHostedCharge(db, actor, processor, request.params.id, request.body.chargeReference, async (trx, charged) => ({ ...(await view(trx, charged.payment)), failure: charged.failure }));
    },
  );

  r.post(
    '/payments/:id/notes',
    {
      config: { permission: 'payments:write' },
      schema: { tags: ['payments'], summary: 'Add a note (allowed in every status)', params, body: addNoteBody, response: { 201: note } },
    },
    async (request, reply) => reply.status(201).send(await addPaymentNote(db, actorOf(request), request.params.id, request.body.text)),
  );
  r.get(
    '/payments/:id/notes',
    { config: { permission: 'payments:read' }, schema: { tags: ['payments'], summary: 'Notes on a payment', params, response: { 200: listOf(note) } } },
    async (request) => listPaymentNotes(db, actorOf(request), request.params.id),
  );

  r.post(
    '/payments/:id/documents',
    {
      config: { permission: 'payments:write' },
      schema: {
        tags: ['payments'],
        summary: 'Upload a PDF, PNG or JPEG (multipart field "file")',
        consumes: ['multipart/form-data'],
        params,
        response: { 201: document },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw new AppError('validation_failed', 'Send the document as multipart/form-data with a "file" field.');
      const file = await readUploadedFile(request, store.maxBytes);
      if (!file) throw new AppError('validation_failed', 'No file in the upload.');
      const data = file.data;
      if (file.truncated) {
        throw new AppError('document_too_large', `Documents may be at most ${Math.floor(store.maxBytes / 1048576)} MB.`);
      }
      const saved = await addPaymentDocument(db, actorOf(request), request.params.id, { fileName: file.fileName, data }, store);
      return reply.status(201).send(saved);
    },
  );
  r.get(
    '/payments/:id/documents',
    {
      config: { permission: 'payments:read' },
      schema: { tags: ['payments'], summary: 'Documents of a payment', params, response: { 200: listOf(document) } },
    },
    async (request) => listPaymentDocuments(db, actorOf(request), request.params.id),
  );
  r.get(
    '/payments/:id/documents/:documentId',
    {
      config: { permission: 'payments:read' },
      schema: { tags: ['payments'], summary: 'Download a document', params: z.object({ id, documentId: id }) },
    },
    async (request, reply) => {
      const doc = await openPaymentDocument(db, actorOf(request), request.params.id, request.params.documentId, store);
      return reply
        .header('content-type', doc.contentType)
        .header('content-disposition', `attachment; filename="${doc.fileName.replace(/"/g, '')}"`)
        .header('x-content-type-options', 'nosniff')
        .send(doc.data);
    },
  );

  r.post(
    '/payments/:id/link',
    {
      config: { permission: 'payments:write' },
      schema: {
        tags: ['payments'],
        summary: 'Create a payment link with an unguessable token and an expiry',
        params,
        body: createLinkBody,
        response: { 201: paymentLink },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createPaymentLink(db, actorOf(request), request.params.id, request.body.expiresInDays, config.publicUrl)),
  );

  r.get(
    '/dashboard',
    {
      config: { permission: 'payments:read' },
      schema: { tags: ['payments'], summary: 'Total Collected with monthly trend, Outstanding, count per status', querystring: dashboardQuery, response: { 200: dashboard } },
    },
    async (request) => paymentDashboard(db, actorOf(request), request.query, await practiceDate(db, actorOf(request).practiceId)),
  );
}
