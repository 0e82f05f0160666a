import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listOf } from '../../contracts/common.ts';
import type { Db } from '../../db/transaction.ts';
import { createLocation, listLocations } from '../../services/locations/locations.ts';
import { getPracticeSettings, updatePracticeSettings } from '../../services/practices/practice-settings.ts';
import { actorOf } from '../plugins/authentication.ts';

const location = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });

const practice = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  timeZone: z.string().describe('IANA time zone name: paid dates, "today" for overdue flags, dashboard months, refund review and statement dates are in it.'),
  createdAt: z.string(),
});

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
  r.get(
    '/practice',
    { schema: { tags: ['practice'], summary: "The caller's practice: name and time zone", response: { 200: practice } } },
    async (request) => getPracticeSettings(db, actorOf(request)),
  );
  r.patch(
    '/practice',
    {
      config: { permission: 'practice:write' },
      schema: {
        tags: ['practice'],
        summary: 'Rename the practice or change its time zone (admin; audited)',
        body: z
          .object({
            name: z.string().trim().min(1).max(200).optional(),
            timeZone: z.string().min(1).max(64).optional().describe('An IANA name such as America/New_York; validated with Intl.'),
          })
          .strict(),
        response: { 200: practice },
      },
    },
    async (request) => updatePracticeSettings(db, actorOf(request), request.body),
  );
}
