import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pageQuery } from '../../contracts/common.ts';
import { arAgingQuery, type ArAgingPatientRow, type ArAgingPayerRow, type LedgerRow } from '../../contracts/ledger.ts';
import { id } from '../../contracts/common.ts';
import { listCreditsQuery, listTreatmentsQuery } from '../../contracts/lists.ts';
import { listPaymentsQuery } from '../../contracts/payments.ts';
import { auditEventsQuery, type AuditEvent } from '../../contracts/security.ts';
import { listTasksQuery, type Task } from '../../contracts/tasks.ts';
import { listDenialsQuery, listExceptionsQuery, type Denial, type RemittanceException } from '../../contracts/remittance-work.ts';
import { listDenials } from '../../services/remittance/denials.ts';
import { listExceptions } from '../../services/remittance/remittance-exceptions.ts';
import type { Db } from '../../db/transaction.ts';
import { listAuditEvents } from '../../services/audit/list-audit-events.ts';
import { listPracticeCredits } from '../../services/credits/list-practice-credits.ts';
import { listPatients, patientBalance } from '../../services/patients/patients.ts';
import { overAppliedCsvRead, paymentCsvRead } from '../../services/payments/export-payments.ts';
import { listRemittances } from '../../services/remittance/import-remittance.ts';
import { remittanceTotals } from '../../services/remittance/remittance-totals.ts';
import { listTasks } from '../../services/tasks/tasks.ts';
import { listTreatments } from '../../services/treatments/list-treatments.ts';
import { arAging } from '../../services/ledger/ar-aging.ts';
import { patientLedger } from '../../services/ledger/patient-ledger.ts';
import { practiceDate, practiceTimeZone } from '../../services/practices/practice-settings.ts';
import { everyItem } from '../../services/whole-list.ts';
import { csvDate, csvDay, dollars, sendCsv, sendCsvChunks, type CsvColumn } from '../csv.ts';
import { paymentCsvChunksOffThread } from '../csv-thread.ts';
import { actorOf } from '../plugins/authentication.ts';

/**
 * `GET /<list>/export.csv` for every list: the list's own filters and order,
 * every page of it, streamed. Amounts in dollars with two decimals, dates
 * YYYY-MM-DD (see csv.ts for quoting and formula escaping).
 */

const csvResponse = { 200: z.string().describe('text/csv: a header row, then one row per item') };
const read = { permission: 'payments:read' } as const;

async function timeZoneOf(db: Db, request: FastifyRequest): Promise<string> {
  return practiceTimeZone(db, actorOf(request).practiceId);
}

/** `<list>-<the practice's today>`: the file name of an export. */
async function datedName(db: Db, request: FastifyRequest, list: string): Promise<string> {
  return `${list}-${await practiceDate(db, actorOf(request).practiceId)}`;
}

export async function exportRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/payments/export.csv',
    { config: read, schema: { tags: ['payments'], summary: 'The payments of the current filter as CSV', querystring: listPaymentsQuery, produces: ['text/csv'], response: csvResponse } },
    async (request, reply) => {
      const job = { columns: 'payments', timeZone: await timeZoneOf(db, request), read: await paymentCsvRead(db, actorOf(request), request.query) } as const;
      return sendCsvChunks(reply, await datedName(db, request, 'payments'), paymentCsvChunksOffThread(job));
    },
  );

  r.get(
    '/patients/export.csv',
    {
      schema: {
        tags: ['patients'],
        summary: 'The patients of the current search as CSV, with their balances',
        querystring: pageQuery.extend({ search: z.string().trim().max(100).optional() }),
        produces: ['text/csv'],
        response: csvResponse,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const timeZone = await practiceTimeZone(db, actor.practiceId);
      async function* withBalances() {
        for await (const p of everyItem((page, pageSize) => listPatients(db, actor, { search: request.query.search, page, pageSize }))) {
          // The same balance as GET /patients/:id, so the file and the screen agree.
          yield { ...p, balance: await patientBalance(db, actor, p.id) };
        }
      }
      type Row = Awaited<ReturnType<typeof listPatients>>['items'][number] & { balance: Awaited<ReturnType<typeof patientBalance>> };
      const columns: CsvColumn<Row>[] = [
        { header: 'accountId', value: (p) => p.accountId },
        { header: 'lastName', value: (p) => p.lastName },
        { header: 'firstName', value: (p) => p.firstName },
        { header: 'dateOfBirth', value: (p) => csvDate(p.dateOfBirth) },
        { header: 'email', value: (p) => p.email },
        { header: 'phone', value: (p) => p.phone },
        { header: 'patientResponsibility', value: (p) => dollars(p.balance.patientResponsibilityCents) },
        { header: 'unapplied', value: (p) => dollars(p.balance.unappliedCents) },
        { header: 'credit', value: (p) => dollars(p.balance.creditCents) },
        { header: 'createdDate', value: (p) => csvDay(p.createdAt, timeZone) },
      ];
      return sendCsv(reply, await datedName(db, request, 'patients'), columns, withBalances());
    },
  );

  r.get(
    '/treatments/export.csv',
    { config: read, schema: { tags: ['treatments'], summary: 'The treatments of the current filter as CSV', querystring: listTreatmentsQuery, produces: ['text/csv'], response: csvResponse } },
    async (request, reply) => {
      const actor = actorOf(request);
      const rows = everyItem((page, pageSize) => listTreatments(db, actor, { ...request.query, page, pageSize }));
      return sendCsv(reply, await datedName(db, request, 'treatments'),
        [
          { header: 'serviceDate', value: (t) => csvDate(t.serviceDate) },
          { header: 'patient', value: (t) => t.patientName },
          { header: 'location', value: (t) => t.locationName },
          { header: 'physician', value: (t) => t.physician },
          { header: 'charge', value: (t) => dollars(t.chargeCents) },
          { header: 'patientResponsibility', value: (t) => dollars(t.patientResponsibilityCents) },
          { header: 'applied', value: (t) => dollars(t.appliedCents) },
          { header: 'balance', value: (t) => dollars(t.balanceCents) },
          { header: 'insuranceStatus', value: (t) => t.insuranceStatus },
          { header: 'id', value: (t) => t.id },
        ],
        rows,
      );
    },
  );

  r.get(
    '/credits/export.csv',
    { config: read, schema: { tags: ['credits'], summary: 'The credit lots of the current filter as CSV', querystring: listCreditsQuery, produces: ['text/csv'], response: csvResponse } },
    async (request, reply) => {
      const actor = actorOf(request);
      const timeZone = await practiceTimeZone(db, actor.practiceId);
      const rows = everyItem((page, pageSize) => listPracticeCredits(db, actor, { ...request.query, page, pageSize }));
      return sendCsv(reply, await datedName(db, request, 'credits'),
        [
          { header: 'createdDate', value: (c) => csvDay(c.createdAt, timeZone) },
          { header: 'patient', value: (c) => c.patientName },
          { header: 'source', value: (c) => c.source },
          { header: 'amount', value: (c) => dollars(c.amountCents) },
          { header: 'remaining', value: (c) => dollars(c.remainingCents) },
          { header: 'reference', value: (c) => c.reference },
          { header: 'description', value: (c) => c.description },
          { header: 'createdBy', value: (c) => c.createdBy },
          { header: 'id', value: (c) => c.id },
        ],
        rows,
      );
    },
  );

  r.get(
    '/tasks/export.csv',
    { config: read, schema: { tags: ['tasks'], summary: 'The tasks of the current filter as CSV', querystring: listTasksQuery, produces: ['text/csv'], response: csvResponse } },
    async (request, reply) => {
      const actor = actorOf(request);
      const timeZone = await practiceTimeZone(db, actor.practiceId);
      const rows = everyItem((page, pageSize) => listTasks(db, actor, { ...request.query, page, pageSize }));
      const columns: CsvColumn<Task>[] = [
        { header: 'createdDate', value: (t) => csvDay(t.createdAt, timeZone) },
        { header: 'type', value: (t) => t.type },
        { header: 'status', value: (t) => t.status },
        { header: 'patient', value: (t) => t.patientName },
        { header: 'amount', value: (t) => dollars(t.amountCents) },
        { header: 'dueDate', value: (t) => csvDate(t.dueDate) },
        { header: 'resolvedDate', value: (t) => csvDay(t.resolvedAt, timeZone) },
        { header: 'resolvedBy', value: (t) => t.resolvedBy },
        { header: 'id', value: (t) => t.id },
      ];
      return sendCsv(reply, await datedName(db, request, 'tasks'), columns, rows);
    },
  );

  r.get(
    '/remittances/export.csv',
    { config: read, schema: { tags: ['remittance'], summary: 'Past 835 imports as CSV, with what each paid', querystring: pageQuery, produces: ['text/csv'], response: csvResponse } },
    async (request, reply) => {
      const actor = actorOf(request);
      const timeZone = await practiceTimeZone(db, actor.practiceId);
      async function* withTotals() {
        const pageSize = 500;
        for (let page = 1; ; page++) {
          const { items } = await listRemittances(db, actor, { page, pageSize });
          const totals = await remittanceTotals(db, actor, items.map((i) => i.id));
          for (const item of items) yield { ...item, totals: totals.get(item.id) };
          if (items.length < pageSize) return;
        }
      }
      type Row = Awaited<ReturnType<typeof listRemittances>>['items'][number] & { totals: { paymentCents: number; payers: string[]; traceNumbers: string[] } | undefined };
      const columns: CsvColumn<Row>[] = [
        { header: 'importedDate', value: (x) => csvDay(x.createdAt, timeZone) },
        { header: 'fileName', value: (x) => x.fileName },
        { header: 'payers', value: (x) => x.totals?.payers.join('; ') },
        { header: 'traceNumbers', value: (x) => x.totals?.traceNumbers.join('; ') },
        { header: 'paid', value: (x) => dollars(x.totals?.paymentCents ?? 0) },
        { header: 'claims', value: (x) => x.claimCount },
        { header: 'posted', value: (x) => x.postedCount },
        { header: 'exceptions', value: (x) => x.exceptionCount },
        { header: 'warnings', value: (x) => x.warningCount },
        { header: 'importedBy', value: (x) => x.createdBy },
        { header: 'id', value: (x) => x.id },
      ];
      return sendCsv(reply, await datedName(db, request, 'remittances'), columns, withTotals());
    },
  );

  r.get(
    '/audit-events/export.csv',
    {
      config: { permission: 'audit:read' },
      schema: { tags: ['audit'], summary: 'The audit trail of the current filter (entityType, entityId) as CSV, newest first', querystring: auditEventsQuery, produces: ['text/csv'], response: csvResponse },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const timeZone = await practiceTimeZone(db, actor.practiceId);
      const rows = everyItem((page, pageSize) => listAuditEvents(db, actor, { ...request.query, page, pageSize }));
      const json = (value: unknown) => (value === null || value === undefined ? '' : JSON.stringify(value));
      const columns: CsvColumn<AuditEvent>[] = [
        { header: 'date', value: (e) => csvDay(e.createdAt, timeZone) },
        { header: 'at', value: (e) => e.createdAt },
        { header: 'actor', value: (e) => e.actor.name },
        { header: 'actorType', value: (e) => e.actor.type },
        { header: 'action', value: (e) => e.action },
        { header: 'entityType', value: (e) => e.entityType },
        { header: 'entityId', value: (e) => e.entityId },
        { header: 'before', value: (e) => json(e.before) },
        { header: 'after', value: (e) => json(e.after) },
        { header: 'id', value: (e) => e.id },
      ];
      return sendCsv(reply, await datedName(db, request, 'audit-events'), columns, rows);
    },
  );

  r.get(
    '/reports/over-applied/export.csv',
    { config: read, schema: { tags: ['applications'], summary: 'The over-applied payments work list as CSV', querystring: pageQuery, produces: ['text/csv'], response: csvResponse } },
    async (request, reply) => {
      const job = { columns: 'over-applied', timeZone: await timeZoneOf(db, request), read: await overAppliedCsvRead(db, actorOf(request)) } as const;
      return sendCsvChunks(reply, await datedName(db, request, 'over-applied'), paymentCsvChunksOffThread(job));
    },
  );
  r.get(
    '/patients/:id/ledger/export.csv',
    { config: read, schema: { tags: ['patients'], summary: "The patient's ledger as CSV, with running balances", params: z.object({ id }), produces: ['text/csv'], response: csvResponse } },
    async (request, reply) => {
      const ledger = await patientLedger(db, actorOf(request), request.params.id);
      const patient = await db.selectFrom('patients').select('accountId').where('id', '=', ledger.patientId).where('practiceId', '=', actorOf(request).practiceId).executeTakeFirstOrThrow();
      const columns: CsvColumn<LedgerRow>[] = [
        { header: 'date', value: (x) => csvDate(x.date) },
        { header: 'kind', value: (x) => x.kind },
        { header: 'description', value: (x) => x.description },
        { header: 'amount', value: (x) => dollars(x.amountCents) },
        { header: 'patientAmount', value: (x) => dollars(x.patientAmountCents) },
        { header: 'insuranceAmount', value: (x) => dollars(x.insuranceAmountCents) },
        { header: 'patientBalance', value: (x) => dollars(x.runningBalanceCents) },
        { header: 'insuranceBalance', value: (x) => dollars(x.runningInsuranceCents) },
        { header: 'paymentId', value: (x) => x.paymentId },
        { header: 'treatmentId', value: (x) => x.treatmentId },
        { header: 'remittanceId', value: (x) => x.remittanceId },
        { header: 'refundId', value: (x) => x.refundId },
        { header: 'creditId', value: (x) => x.creditId },
      ];
      return sendCsv(reply, await datedName(db, request, `ledger-${patient.accountId.replace(/[^A-Za-z0-9-]/g, '_')}`), columns, fromArray(ledger.items));
    },
  );

  r.get(
    '/reports/ar-aging/export.csv',
    { config: { permission: 'reports:ledger' }, schema: { tags: ['reports'], summary: 'The A/R aging report as CSV: one row per patient, then one per payer', querystring: arAgingQuery, produces: ['text/csv'], response: csvResponse } },
    async (request, reply) => {
      const report = await arAging(db, actorOf(request), request.query);
      type Row = (ArAgingPatientRow & { receivable: 'patient' }) | (ArAgingPayerRow & { receivable: 'insurance' });
      const rows: Row[] = [...report.patients.map((p) => ({ ...p, receivable: 'patient' as const })), ...report.payers.map((p) => ({ ...p, receivable: 'insurance' as const }))];
      const columns: CsvColumn<Row>[] = [
        { header: 'receivable', value: (x) => x.receivable },
        { header: 'name', value: (x) => (x.receivable === 'patient' ? x.patientName : x.payerName) },
        { header: 'accountOrPayerId', value: (x) => (x.receivable === 'patient' ? x.accountId : x.payerId) },
        { header: 'current', value: (x) => dollars(x.currentCents) },
        { header: 'days31To60', value: (x) => dollars(x.days31To60Cents) },
        { header: 'days61To90', value: (x) => dollars(x.days61To90Cents) },
        { header: 'days91To120', value: (x) => dollars(x.days91To120Cents) },
        { header: 'over120', value: (x) => dollars(x.over120Cents) },
        { header: 'total', value: (x) => dollars(x.totalCents) },
      ];
      return sendCsv(reply, `ar-aging-${report.asOf}`, columns, fromArray(rows));
    },
  );

  r.get(
    '/remittance-exceptions/export.csv',
    { config: { permission: 'remittance:write' }, schema: { tags: ['remittance'], summary: 'The remittance exceptions of the current filter as CSV', querystring: listExceptionsQuery, produces: ['text/csv'], response: csvResponse } },
    async (request, reply) => {
      const actor = actorOf(request);
      const rows = everyItem((page, pageSize) => listExceptions(db, actor, { ...request.query, page, pageSize }));
      const columns: CsvColumn<RemittanceException>[] = [
        { header: 'importedDate', value: (x) => csvDate(x.importedAt) },
        { header: 'fileName', value: (x) => x.fileName },
        { header: 'payer', value: (x) => x.payerName },
        { header: 'traceNumber', value: (x) => x.traceNumber },
        { header: 'paymentDate', value: (x) => csvDate(x.paymentDate) },
        { header: 'claimControlNumber', value: (x) => x.patientControlNumber },
        { header: 'patient', value: (x) => x.patientName },
        { header: 'claimStatus', value: (x) => x.statusCode },
        { header: 'reason', value: (x) => x.reasonCode },
        { header: 'message', value: (x) => x.message },
        { header: 'charge', value: (x) => dollars(x.chargeCents) },
        { header: 'paid', value: (x) => dollars(x.paidCents) },
        { header: 'suspense', value: (x) => dollars(x.suspenseCents) },
        { header: 'status', value: (x) => x.status },
        { header: 'matchedClaim', value: (x) => x.matchedControlNumber },
        { header: 'resolution', value: (x) => x.resolution },
        { header: 'note', value: (x) => x.resolutionNote },
        { header: 'resolvedDate', value: (x) => csvDate(x.resolvedAt) },
        { header: 'resolvedBy', value: (x) => x.resolvedBy },
        { header: 'id', value: (x) => x.id },
      ];
      return sendCsv(reply, await datedName(db, request, 'remittance-exceptions'), columns, rows);
    },
  );

  r.get(
    '/denials/export.csv',
    { config: { permission: 'remittance:write' }, schema: { tags: ['remittance'], summary: 'The denials work list as CSV, with CARC and RARC codes described', querystring: listDenialsQuery, produces: ['text/csv'], response: csvResponse } },
    async (request, reply) => {
      const actor = actorOf(request);
      const rows = everyItem((page, pageSize) => listDenials(db, actor, { ...request.query, page, pageSize }));
      const columns: CsvColumn<Denial>[] = [
        { header: 'paymentDate', value: (d) => csvDate(d.paymentDate) },
        { header: 'payer', value: (d) => d.payerName },
        { header: 'claimControlNumber', value: (d) => d.controlNumber },
        { header: 'patient', value: (d) => d.patientName },
        { header: 'serviceDate', value: (d) => csvDate(d.serviceDate) },
        { header: 'claimStatus', value: (d) => d.statusCode },
        { header: 'charge', value: (d) => dollars(d.chargeCents) },
        { header: 'paid', value: (d) => dollars(d.paidCents) },
        { header: 'adjustments', value: (d) => d.adjustments.map((a) => `${a.group}-${a.code} ${dollars(a.amountCents)}: ${a.description}`).join('; ') },
        { header: 'remarks', value: (d) => d.remarks.map((m) => `${m.code}: ${m.description}`).join('; ') },
        { header: 'fileName', value: (d) => d.fileName },
        { header: 'id', value: (d) => d.id },
      ];
      return sendCsv(reply, await datedName(db, request, 'denials'), columns, rows);
    },
  );
}

/** A list already in memory (a report computed whole) as the rows of a CSV stream. */
async function* fromArray<T>(rows: readonly T[]): AsyncGenerator<T> {
  yield* rows;
}
