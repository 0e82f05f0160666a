import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id } from '../../contracts/common.ts';
import { appliedCredit, applyCreditBody, createCreditBody, credit, creditList, transferCreditBody } from '../../contracts/credits.ts';
import type { Db } from '../../db/transaction.ts';
import { applyCredit, createCredit, listCredits, transferCredit } from '../../services/credits/credits.ts';
import { actorOf } from '../plugins/authentication.ts';
import { idempotent } from '../plugins/idempotency.ts';

const params = z.object({ id });

export async function creditRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/patients/:id/credits',
    {
      config: { permission: 'credits:write' },
      schema: { tags: ['credits'], summary: 'New Credit for the patient (Idempotency-Key supported)', params, body: createCreditBody, response: { 201: credit } },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const result = await idempotent(db, request, 201, (trx) => createCredit(trx, actor, request.params.id, request.body));
      return reply.status(result.status).send(result.body);
    },
  );
  r.get(
    '/patients/:id/credits',
    { config: { permission: 'payments:read' }, schema: { tags: ['credits'], summary: "The patient's credit lots and available credit", params, response: { 200: creditList } } },
    async (request) => listCredits(db, actorOf(request), request.params.id),
  );
  r.post(
    '/treatments/:id/apply-credit',
    {
      config: { permission: 'payments:write' },
      schema: {
        tags: ['credits'],
        summary: "Pay a treatment's patient responsibility from a credit lot (Idempotency-Key supported)",
        params,
        body: applyCreditBody,
        response: { 201: appliedCredit },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const result = await idempotent(db, request, 201, (trx) => applyCredit(trx, actor, request.params.id, request.body));
      return reply.status(result.status).send(result.body);
    },
  );
  r.post(
    '/credits/:id/transfer',
    {
      config: { permission: 'credits:transfer' },
      schema: { tags: ['credits'], summary: 'Transfer what remains of a credit to another patient of the practice (admin)', params, body: transferCreditBody, response: { 201: credit } },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const result = await idempotent(db, request, 201, (trx) => transferCredit(trx, actor, request.params.id, request.body.toPatientId));
      return reply.status(result.status).send(result.body);
    },
  );
}
