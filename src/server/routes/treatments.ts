import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id } from '../../contracts/common.ts';
import { claim, createTreatmentBody, treatment } from '../../contracts/treatments.ts';
import { billNextPayer } from '../../services/claims/claims.ts';
import type { Db } from '../../db/transaction.ts';
import { createTreatment, getTreatment } from '../../services/treatments/treatments.ts';
import { actorOf } from '../plugins/authentication.ts';
import { idempotent } from '../plugins/idempotency.ts';

export async function treatmentRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/treatments',
    {
      config: { permission: 'treatments:write' },
      schema: { tags: ['treatments'], summary: 'Record a visit with its CPT lines', body: createTreatmentBody, response: { 201: treatment } },
    },
    async (request, reply) => reply.status(201).send(await createTreatment(db, actorOf(request), request.body)),
  );
  r.get(
    '/treatments/:id',
    {
      schema: {
        tags: ['treatments'],
        summary: 'A visit with its charges, claims and payments (overdue flagged)',
        params: z.object({ id }),
        response: { 200: treatment },
      },
    },
    async (request) => getTreatment(db, actorOf(request), request.params.id),
  );
  r.post(
    '/treatments/:id/claims',
    {
      config: { permission: 'remittance:write' },
      schema: {
        tags: ['treatments'],
        summary: 'Bill the next payer: the claim, with the control number its 835 will carry back in CLP01 (Idempotency-Key supported)',
        params: z.object({ id }),
        response: { 201: claim },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const result = await idempotent(db, request, 201, (trx) => billNextPayer(trx, actor, request.params.id));
      return reply.status(result.status).send(result.body);
    },
  );
}
