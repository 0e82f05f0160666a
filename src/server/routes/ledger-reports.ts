import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id } from '../../contracts/common.ts';
import { arAging, arAgingQuery, patientLedger } from '../../contracts/ledger.ts';
import type { Db } from '../../db/transaction.ts';
import { arAging as computeArAging } from '../../services/ledger/ar-aging.ts';
import { patientLedger as computePatientLedger } from '../../services/ledger/patient-ledger.ts';
import { actorOf } from '../plugins/authentication.ts';

/** The patient ledger and the practice's A/R aging, both read from the journal. */
export async function ledgerReportRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/patients/:id/ledger',
    {
      config: { permission: 'payments:read' },
      schema: {
        tags: ['patients'],
        summary: "The patient's ledger: every charge, payer payment, adjustment, patient payment, refund and credit in date order with running balances, and the balance's aging",
        params: z.object({ id }),
        response: { 200: patientLedger },
      },
    },
    async (request) => computePatientLedger(db, actorOf(request), request.params.id),
  );
  r.get(
    '/reports/ar-aging',
    {
      config: { permission: 'reports:ledger' },
      schema: {
        tags: ['reports'],
        summary: 'A/R aging: open patient responsibility per patient and open claim receivable per payer, by the age of the visit (0–30, 31–60, 61–90, 91–120, 120+ days)',
        querystring: arAgingQuery,
        response: { 200: arAging },
      },
    },
    async (request) => computeArAging(db, actorOf(request), request.query),
  );
}
