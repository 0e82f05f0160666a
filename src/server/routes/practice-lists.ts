import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { listOf } from '../../contracts/common.ts';
import { creditSummary, listCreditsQuery, listTreatmentsQuery, treatmentSummary } from '../../contracts/lists.ts';
import type { Db } from '../../db/transaction.ts';
import { listPracticeCredits } from '../../services/credits/list-practice-credits.ts';
import { listTreatments } from '../../services/treatments/list-treatments.ts';
import { actorOf } from '../plugins/authentication.ts';

/** Practice-wide lists of treatments and credit lots (a patient's page filters them by patientId). */
export async function practiceListRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/treatments',
    {
      config: { permission: 'payments:read' },
      schema: { tags: ['treatments'], summary: 'Treatments, newest service date first: filter by patient, location, insurance status, service dates', querystring: listTreatmentsQuery, response: { 200: listOf(treatmentSummary) } },
    },
    async (request) => listTreatments(db, actorOf(request), request.query),
  );
  r.get(
    '/credits',
    {
      config: { permission: 'payments:read' },
      schema: { tags: ['credits'], summary: 'Credit lots, newest first: filter by patient, source, available', querystring: listCreditsQuery, response: { 200: listOf(creditSummary) } },
    },
    async (request) => listPracticeCredits(db, actorOf(request), request.query),
  );
}
