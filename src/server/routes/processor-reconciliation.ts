import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id, listOf } from '../../contracts/common.ts';
import {
  assignProcessorReceiptBody,
  listProcessorReceiptsQuery,
  processorReceipt,
  processorReconciliation,
  processorReconciliationQuery,
  type ProcessorReceipt,
  type ProcessorReconciliation,
} from '../../contracts/reconciliation.ts';
import type { Db } from '../../db/transaction.ts';
import { processorReconciliationReport } from '../../services/reconciliation/processor-reconciliation-report.ts';
import type { PaymentProcessor } from '../../services/processors/payment-processor.ts';
import { assignProcessorReceipt, listProcessorReceipts, returnProcessorReceiptWork } from '../../services/reconciliation/processor-receipts.ts';
import { practiceTimeZone } from '../../services/practices/practice-settings.ts';
import { everyItem } from '../../services/whole-list.ts';
import { csvDate, csvDay, dollars, sendCsv, type CsvColumn } from '../csv.ts';
import { actorOf } from '../plugins/authentication.ts';
import { idempotent } from '../plugins/idempotency.ts';

type Row = ProcessorReconciliation['payouts'][number]['items'][number] & { payout: ProcessorReconciliation['payouts'][number] };

const columns: CsvColumn<Row>[] = [
  { header: 'payout', value: (r) => r.payout.processorPayoutId },
  { header: 'arrivalDate', value: (r) => csvDate(r.payout.arrivalDate) },
  { header: 'payoutAmount', value: (r) => dollars(r.payout.amountCents) },
  { header: 'balanceTransaction', value: (r) => r.balanceTransactionId },
  { header: 'type', value: (r) => r.type },
  { header: 'amount', value: (r) => dollars(r.amountCents) },
  { header: 'fee', value: (r) => dollars(r.feeCents) },
  { header: 'net', value: (r) => dollars(r.netCents) },
  { header: 'matched', value: (r) => (r.matched ? 'yes' : 'no') },
  { header: 'payment', value: (r) => r.paymentNumber },
  { header: 'patient', value: (r) => r.patientName },
  { header: 'source', value: (r) => r.sourceReference },
  { header: 'description', value: (r) => r.description },
];

/** Card processor reconciliation (ADR 0019): payouts with their matched and unmatched items, and open disputes. */
export async function processorReconciliationRoutes(app: FastifyInstance, { db, processor }: { db: Db; processor: PaymentProcessor }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/reports/processor-reconciliation',
    {
      config: { permission: 'reports:ledger' },
      schema: {
        tags: ['reports'],
        summary: "Card processor reconciliation: payouts arriving in the range with their matched and unmatched items, totals netting to each payout, open disputes",
        querystring: processorReconciliationQuery,
        response: { 200: processorReconciliation },
      },
    },
    async (request) => processorReconciliationReport(db, actorOf(request), request.query),
  );

  r.get(
    '/reports/processor-reconciliation/export.csv',
    {
      config: { permission: 'reports:ledger' },
      schema: {
        tags: ['reports'],
        summary: 'The processor reconciliation of the range as CSV: one row per payout item',
        querystring: processorReconciliationQuery,
        produces: ['text/csv'],
        response: { 200: z.string().describe('text/csv: a header row, then one row per payout item') },
      },
    },
    async (request, reply) => {
      const report = await processorReconciliationReport(db, actorOf(request), request.query);
      async function* rows(): AsyncIterable<Row> {
        for (const payout of report.payouts) for (const item of payout.items) yield { ...item, payout };
      }
      return sendCsv(reply, `processor-reconciliation-${request.query.from}-${request.query.to}`, columns, rows());
    },
  );

  r.get(
    '/processor-receipts',
    {
      config: { permission: 'reports:ledger' },
      schema: {
        tags: ['reports'],
        summary: "Card charges made in the processor's own dashboard: held on unidentified receipts until a biller assigns them (the queue, oldest first), or resolved",
        querystring: listProcessorReceiptsQuery,
        response: { 200: listOf(processorReceipt) },
      },
    },
    async (request) => listProcessorReceipts(db, actorOf(request), request.query),
  );

  r.get(
    '/processor-receipts/export.csv',
    {
      config: { permission: 'reports:ledger' },
      schema: {
        tags: ['reports'],
        summary: 'The processor receipts of the current filter as CSV',
        querystring: listProcessorReceiptsQuery,
        produces: ['text/csv'],
        response: { 200: z.string().describe('text/csv: a header row, then one row per receipt') },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const timeZone = await practiceTimeZone(db, actor.practiceId);
      const columns: CsvColumn<ProcessorReceipt>[] = [
        { header: 'receivedDate', value: (x) => csvDay(x.receivedAt, timeZone) },
        { header: 'processorReference', value: (x) => x.processorReference },
        { header: 'amount', value: (x) => dollars(x.amountCents) },
        { header: 'status', value: (x) => x.status },
        { header: 'payerEmail', value: (x) => x.payerEmail },
        { header: 'description', value: (x) => x.description },
        { header: 'payment', value: (x) => x.paymentNumber },
        { header: 'patient', value: (x) => x.patientName },
        { header: 'resolvedDate', value: (x) => csvDay(x.resolvedAt, timeZone) },
        { header: 'returned', value: (x) => dollars(x.returnedCents) },
        { header: 'dispute', value: (x) => (x.dispute ? `${x.dispute.status} ${dollars(x.dispute.amountCents)}` : null) },
      ];
      const rows = everyItem((page, pageSize) => listProcessorReceipts(db, actor, { ...request.query, page, pageSize }));
      return sendCsv(reply, `processor-receipts-${request.query.status}`, columns, rows);
    },
  );

  r.post(
    '/processor-receipts/:id/assign',
    {
      config: { permission: 'refunds:write' },
      schema: {
        tags: ['reports'],
        summary: 'Assign a held receipt to a patient: it becomes a Paid card payment applied like any payment, and leaves unidentified receipts; once only (Idempotency-Key supported)',
        params: z.object({ id }),
        body: assignProcessorReceiptBody,
        response: { 200: processorReceipt },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return (await idempotent(db, request, 200, (trx) => assignProcessorReceipt(trx, actor, request.params.id, request.body.patientId))).body;
    },
  );

  r.post(
    '/processor-receipts/:id/return',
    {
      config: { permission: 'refunds:write' },
      schema: {
        tags: ['reports'],
        summary:
          "Give what remains of a held receipt back to the card through the processor, when nobody can be named: it leaves unidentified receipts and clearing once, whether the processor's own refund event comes first or not (Idempotency-Key supported; a retry after a time-out asks the processor the same question)",
        params: z.object({ id }),
        response: { 200: processorReceipt },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return (await idempotent(db, request, 200, returnProcessorReceiptWork(db, processor, actor, request.params.id))).body;
    },
  );
}
