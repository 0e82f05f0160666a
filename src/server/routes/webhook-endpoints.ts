import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id, listOf } from '../../contracts/common.ts';
import {
  createWebhookEndpointBody,
  listDeliveriesQuery,
  updateWebhookEndpointBody,
  webhookDelivery,
  webhookEndpoint,
  webhookEndpointWithSecret,
  webhookEventCatalogue,
  webhookEventTypes,
} from '../../contracts/webhooks.ts';
import type { Config } from '../../config/config.ts';
import type { Dialect } from '../../db/connect.ts';
import type { Db } from '../../db/transaction.ts';
import { replayWebhookDelivery } from '../../services/webhooks/deliver-webhooks.ts';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  requireWebhookEndpoint,
  rollWebhookSecret,
  toWebhookEndpoint,
  updateWebhookEndpoint,
} from '../../services/webhooks/webhook-endpoints.ts';
import { wholeList } from '../../services/whole-list.ts';
import { actorOf } from '../plugins/authentication.ts';

const params = z.object({ id });
const manage = { permission: 'webhooks:manage' } as const;

/** Admins' outgoing webhook endpoints and their delivery log. */
export async function webhookEndpointRoutes(app: FastifyInstance, { db, config, dialect }: { db: Db; config: Config; dialect: Dialect }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['webhooks'];

  r.get(
    '/webhook-event-types',
    {
      config: manage,
      schema: {
        tags,
        summary: 'The event types an endpoint can subscribe to (their bodies are in the `webhooks` section of this document)',
        response: { 200: listOf(z.object({ type: z.string(), summary: z.string() })) },
      },
    },
    async () => wholeList(webhookEventTypes.map((type) => ({ type, summary: webhookEventCatalogue[type].summary }))),
  );

  r.post(
    '/webhook-endpoints',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Add an endpoint; the answer carries the signing secret, shown this once',
        body: createWebhookEndpointBody,
        response: { 201: webhookEndpointWithSecret },
      },
    },
    async (request, reply) => reply.status(201).send(await createWebhookEndpoint(db, actorOf(request), request.body)),
  );

  r.get(
    '/webhook-endpoints',
    { config: manage, schema: { tags, summary: "The practice's endpoints (no secrets)", response: { 200: listOf(webhookEndpoint) } } },
    async (request) => wholeList(await listWebhookEndpoints(db, actorOf(request))),
  );

  r.get(
    '/webhook-endpoints/:id',
    { config: manage, schema: { tags, summary: 'One endpoint (no secret)', params, response: { 200: webhookEndpoint } } },
    async (request) => toWebhookEndpoint(await requireWebhookEndpoint(db, actorOf(request), request.params.id)),
  );

  r.patch(
    '/webhook-endpoints/:id',
    {
      config: manage,
      schema: { tags, summary: 'Change the URL, events, description, or enable/disable', params, body: updateWebhookEndpointBody, response: { 200: webhookEndpoint } },
    },
    async (request) => updateWebhookEndpoint(db, actorOf(request), request.params.id, request.body),
  );

  r.delete(
    '/webhook-endpoints/:id',
    { config: manage, schema: { tags, summary: 'Delete an endpoint: it gets nothing more', params, response: { 204: z.null() } } },
    async (request, reply) => {
      await deleteWebhookEndpoint(db, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/webhook-endpoints/:id/roll-secret',
    {
      config: manage,
      schema: { tags, summary: 'Replace the signing secret; the new one is shown this once', params, response: { 200: webhookEndpointWithSecret } },
    },
    async (request) => rollWebhookSecret(db, actorOf(request), request.params.id),
  );

  r.get(
    '/webhook-endpoints/:id/deliveries',
    {
      config: manage,
      schema: { tags, summary: 'Deliveries to this endpoint, newest first, each with every attempt', params, querystring: listDeliveriesQuery, response: { 200: listOf(webhookDelivery) } },
    },
    async (request) => listWebhookDeliveries(db, actorOf(request), request.params.id, request.query),
  );

  r.post(
    '/webhook-deliveries/:id/replay',
    {
      config: manage,
      schema: { tags, summary: 'Send a delivery again now (the attempt is logged as manual)', params, response: { 200: webhookDelivery } },
    },
    async (request) =>
      replayWebhookDelivery(db, actorOf(request), request.params.id, {
        dialect,
        retryBaseMs: config.webhookRetryBaseMs,
        timeoutMs: config.webhookTimeoutMs,
        log: request.log,
      }),
  );
}
