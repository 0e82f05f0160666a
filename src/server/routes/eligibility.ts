import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id, listOf, pageQuery } from '../../contracts/common.ts';
import {
  createEligibilityCheckBody,
  eligibilityCheck,
  estimate,
  estimateQuery,
  feeSchedule,
  feeScheduleBody,
  import271Query,
} from '../../contracts/eligibility.ts';
import type { Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { importEligibility271 } from '../../services/eligibility/import-eligibility-271.ts';
import { listEligibilityChecks } from '../../services/eligibility/list-eligibility-checks.ts';
import { recordEligibilityCheck } from '../../services/eligibility/record-eligibility-check.ts';
import { estimatePayment } from '../../services/estimates/estimate-payment.ts';
import { getFeeSchedule } from '../../services/estimates/get-fee-schedule.ts';
import { setFeeSchedule } from '../../services/estimates/set-fee-schedule.ts';
import { actorOf } from '../plugins/authentication.ts';
import { readUploadedFile } from '../uploads.ts';

const payerParams = z.object({ payerId: z.string().trim().min(1).max(80) });

/** A 271 sent as the raw body (text/plain, application/edi-x12) or as a multipart "file". */
async function x12Of(request: FastifyRequest): Promise<string | Buffer | undefined> {
  if (request.isMultipart()) {
    const file = await readUploadedFile(request, 1024 * 1024);
    if (!file) throw new AppError('validation_failed', 'No file in the upload.');
    return file.data;
  }
  const body = request.body;
  return typeof body === 'string' || Buffer.isBuffer(body) ? body : undefined;
}

/** Eligibility checks (by hand or X12 271), payer fee schedules, and the payment estimate of SPEC section 8. */
export async function eligibilityRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addContentTypeParser(['application/edi-x12', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, body));
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/eligibility-checks',
    {
      config: { permission: 'patients:write' },
      bodyLimit: 1024 * 1024,
      schema: {
        tags: ['eligibility'],
        summary:
          'Record an eligibility check: JSON {patientId, copayCents?, coinsurancePercent, deductibleRemainingCents, oopRemainingCents, procedures?}, ' +
          'or an X12 271 response as the body (text/plain, application/edi-x12 or multipart "file") with ?patientId=. AAA rejections are stored with status "rejected".',
        consumes: ['application/json', 'text/plain', 'application/edi-x12', 'multipart/form-data'],
        querystring: import271Query.partial(),
        response: { 201: eligibilityCheck },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const x12 = await x12Of(request);
      if (x12 !== undefined) {
        if (x12.length === 0) throw new AppError('validation_failed', 'The body is empty: send the 271 file.');
        const query = import271Query.parse(request.query);
        return reply.status(201).send(await importEligibility271(db, actor, { patientId: query.patientId, serviceType: query.serviceType, data: x12 }));
      }
      const body = createEligibilityCheckBody.parse(request.body);
      return reply.status(201).send(await recordEligibilityCheck(db, actor, body));
    },
  );

  r.get(
    '/patients/:id/eligibility-checks',
    {
      config: { permission: 'payments:read' },
      schema: {
        tags: ['eligibility'],
        summary: "A patient's eligibility checks, newest first (rejected ones with their reasons)",
        params: z.object({ id }),
        querystring: pageQuery,
        response: { 200: listOf(eligibilityCheck) },
      },
    },
    async (request) => listEligibilityChecks(db, actorOf(request), request.params.id, request.query),
  );

  r.get(
    '/estimates',
    {
      config: { permission: 'payments:read' },
      schema: {
        tags: ['eligibility'],
        summary: "Estimate the patient's share of a treatment from the most recent eligibility check that was not rejected (and the payer's fee schedule when there is one)",
        querystring: estimateQuery,
        response: { 200: estimate },
      },
    },
    async (request) => estimatePayment(db, actorOf(request), request.query),
  );

  // Fee schedules are payer contract terms: kept by the people who post the payers' remittances.
  r.put(
    '/fee-schedules/:payerId',
    {
      config: { permission: 'remittance:write' },
      schema: {
        tags: ['eligibility'],
        summary: "Replace a payer's fee schedule: [{cpt, allowedCents}] (an empty list removes it)",
        params: payerParams,
        body: feeScheduleBody,
        response: { 200: feeSchedule },
      },
    },
    async (request) => setFeeSchedule(db, actorOf(request), request.params.payerId, request.body),
  );
  r.get(
    '/fee-schedules/:payerId',
    {
      config: { permission: 'payments:read' },
      schema: { tags: ['eligibility'], summary: "A payer's fee schedule", params: payerParams, response: { 200: feeSchedule } },
    },
    async (request) => getFeeSchedule(db, actorOf(request), request.params.payerId),
  );
}
