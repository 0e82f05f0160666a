import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listOf } from '../../contracts/common.ts';
import type { Db } from '../../db/transaction.ts';
import { createLocation, listLocations } from '../../services/locations/locations.ts';
import { actorOf } from '../plugins/authentication.ts';

const location = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });

export async function locationRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/locations',
    {
      config: { permission: 'locations:write' },
      schema: {
        tags: ['locations'],
        summary: 'Create a location',
        body: z.object({ name: z.string().trim().min(1).max(200) }),
        response: { 201: location },
      },
    },
    async (request, reply) => reply.status(201).send(await createLocation(db, actorOf(request), request.body)),
  );
  r.get(
    '/locations',
    { schema: { tags: ['locations'], summary: 'List the practice locations', response: { 200: listOf(location) } } },
    async (request) => listLocations(db, actorOf(request)),
  );
}
