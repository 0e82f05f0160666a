import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id, listOf } from '../../contracts/common.ts';
import { createLocationBody, location, practiceSettings, updateLocationBody, updatePracticeBody } from '../../contracts/practice-setup.ts';
import type { Config } from '../../config/config.ts';
import type { Db } from '../../db/transaction.ts';
import { createLocation, listLocations, updateLocation } from '../../services/locations/locations.ts';
import { getPracticeSettings, updatePracticeSettings } from '../../services/practices/practice-settings.ts';
import { actorOf } from '../plugins/authentication.ts';

export async function locationRoutes(app: FastifyInstance, { db, config }: { db: Db; config: Config }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/locations',
    {
      config: { permission: 'locations:write' },
      schema: { tags: ['locations'], summary: 'Create a location', body: createLocationBody, response: { 201: location } },
    },
    async (request, reply) => reply.status(201).send(await createLocation(db, actorOf(request), request.body)),
  );
  r.get(
    '/locations',
    { schema: { tags: ['locations'], summary: 'List the practice locations, active ones first', response: { 200: listOf(location) } } },
    async (request) => listLocations(db, actorOf(request)),
  );
  r.patch(
    '/locations/:id',
    {
      config: { permission: 'locations:write' },
      schema: {
        tags: ['locations'],
        summary: 'Rename a location, or deactivate it (no new visits or payments there) or activate it again (admin; audited)',
        params: z.object({ id }),
        body: updateLocationBody,
        response: { 200: location },
      },
    },
    async (request) => updateLocation(db, actorOf(request), request.params.id, request.body),
  );
  r.get(
    '/practice',
    { schema: { tags: ['practice'], summary: "The caller's practice: name, time zone, refund review days, statement message", response: { 200: practiceSettings } } },
    async (request) => getPracticeSettings(db, actorOf(request), config.refundReviewDays),
  );
  r.patch(
    '/practice',
    {
      config: { permission: 'practice:write' },
      schema: {
        tags: ['practice'],
        summary: 'Rename the practice, change its time zone, refund review days or statement message (admin; audited)',
        body: updatePracticeBody,
        response: { 200: practiceSettings },
      },
    },
    async (request) => updatePracticeSettings(db, actorOf(request), request.body, config.refundReviewDays),
  );
}
