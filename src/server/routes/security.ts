import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id, listOf } from '../../contracts/common.ts';
import { apiToken, auditEvent, auditEventsQuery, createApiTokenBody, createdApiToken } from '../../contracts/security.ts';
import type { Db } from '../../db/transaction.ts';
import { listApiTokens, revokeApiToken } from '../../services/auth/api-tokens.ts';
import { createApiToken } from '../../services/auth/create-api-token.ts';
import { listAuditEvents } from '../../services/audit/list-audit-events.ts';
import { wholeList } from '../../services/whole-list.ts';
import { actorOf } from '../plugins/authentication.ts';

/** API tokens (admins) and the audit trail (admins and billers; read-only: no route edits it). */
export async function securityRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api-tokens',
    {
      config: { permission: 'tokens:manage' },
      schema: { tags: ['api tokens'], summary: "The practice's API tokens with their expiry, last use and state (never the token)", response: { 200: listOf(apiToken) } },
    },
    async (request) => wholeList(await listApiTokens(db, actorOf(request))),
  );
  r.post(
    '/api-tokens',
    {
      config: { permission: 'tokens:manage' },
      schema: {
        tags: ['api tokens'],
        summary: 'Create an API token; the answer shows the token this once',
        body: createApiTokenBody,
        response: { 201: createdApiToken },
      },
    },
    async (request, reply) => reply.status(201).send(await createApiToken(db, actorOf(request), request.body)),
  );
  r.delete(
    '/api-tokens/:id',
    {
      config: { permission: 'tokens:manage' },
      schema: { tags: ['api tokens'], summary: 'Revoke an API token: its next request answers 401', params: z.object({ id }), response: { 200: apiToken } },
    },
    async (request) => revokeApiToken(db, actorOf(request), request.params.id),
  );

  r.get(
    '/audit-events',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'Who changed what, when, from what to what: the audit trail, newest first, optionally of one record (entityType, entityId)',
        querystring: auditEventsQuery,
        response: { 200: listOf(auditEvent) },
      },
    },
    async (request) => listAuditEvents(db, actorOf(request), request.query),
  );
}
