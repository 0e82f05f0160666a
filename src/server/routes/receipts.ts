import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id } from '../../contracts/common.ts';
import type { Db } from '../../db/transaction.ts';
import { gatherPaymentReceipt, gatherRefundReceipt, type Receipt } from '../../services/receipts/gather-receipt.ts';
import { renderReceiptPdf } from '../../services/receipts/render-receipt-pdf.ts';
import { actorOf } from '../plugins/authentication.ts';

async function sendReceipt(reply: FastifyReply, receipt: Receipt, fileName: string) {
  return reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `attachment; filename="${fileName.replace(/[^A-Za-z0-9-]/g, '_')}.pdf"`)
    .header('cache-control', 'no-store')
    .send(await renderReceiptPdf(receipt));
}

/** Receipts as PDF for payments and refunds (issue 14 item 4). */
export async function receiptRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/payments/:id/receipt.pdf',
    {
      config: { permission: 'payments:read' },
      schema: {
        tags: ['payments'],
        summary: 'A receipt for a collected payment as a PDF: practice, payment number, date, method, amount, what it was applied to, the balance left',
        produces: ['application/pdf'],
        params: z.object({ id }),
      },
    },
    async (request, reply) => {
      const receipt = await gatherPaymentReceipt(db, actorOf(request), request.params.id);
      return sendReceipt(reply, receipt, `receipt-${receipt.number}`);
    },
  );
  r.get(
    '/refunds/:id/receipt.pdf',
    {
      config: { permission: 'payments:read' },
      schema: {
        tags: ['refunds'],
        summary: 'A receipt for a refund that went through, as a PDF',
        produces: ['application/pdf'],
        params: z.object({ id }),
      },
    },
    async (request, reply) => {
      const receipt = await gatherRefundReceipt(db, actorOf(request), request.params.id);
      return sendReceipt(reply, receipt, `refund-receipt-${receipt.number}-${receipt.date}`);
    },
  );
}
