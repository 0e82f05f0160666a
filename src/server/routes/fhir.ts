import type { Resource } from '@medplum/fhirtypes';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { capabilityStatement } from '../../services/fhir/capability-statement.ts';
import { fhirResourceTypes, type FhirResourceType } from '../../services/fhir/fhir-resources.ts';
import { operationOutcome } from '../../services/fhir/operation-outcome.ts';
import { searchsetBundle } from '../../services/fhir/search-bundle.ts';
import { actorOf } from '../plugins/authentication.ts';
import { problemFor } from '../plugins/error-handler.ts';

export const FHIR_CONTENT_TYPE = 'application/fhir+json';

/** FHIR's id: letters, digits, '-' and '.', at most 64. */
const fhirId = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'is not a FHIR id');
/** A patient named as <id> or Patient/<id>. */
const patientParam = z
  .string()
  .regex(/^(Patient\/)?[A-Za-z0-9\-.]{1,64}$/, 'is not a patient id or Patient/<id>')
  .transform((v) => v.replace(/^Patient\//, ''));
/** The answer's schema: a resource of that type (its shape is FHIR's, checked by the types and the tests' R4 validator). */
const resourceBody = (type: Resource['resourceType']) =>
  z.custom<Resource>((value) => typeof value === 'object' && value !== null && (value as Resource).resourceType === type, `is not a ${type}`);

/**
 * The FHIR R4 read API (ADR 0020), under /fhir/R4 with the same tokens,
 * guards and no-store answers as /api/v1, but FHIR's media type and its
 * OperationOutcome for errors. Read-only: reads and searches by patient.
 * Hidden from the OpenAPI document (its errors are OperationOutcomes, not
 * problem+json); the CapabilityStatement at /fhir/R4/metadata describes it.
 */
export async function fhirRoutes(app: FastifyInstance, { db, publicUrl }: { db: Db; publicUrl: string }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const fhirBase = `${publicUrl.replace(/\/$/, '')}/fhir/R4`;

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const problem = problemFor(error, request);
    void reply.status(problem.status).type(FHIR_CONTENT_TYPE).send(operationOutcome(problem.status, problem.code, problem.detail));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .type(FHIR_CONTENT_TYPE)
      .send(operationOutcome(404, 'not_found', `This server does not serve ${request.method} ${request.url.split('?')[0]}; see /fhir/R4/metadata.`));
  });
  // Every answer is FHIR's media type (the serializer still checks it against the route's schema).
  app.addHook('onSend', async (_request, reply) => {
    void reply.type(FHIR_CONTENT_TYPE);
  });

  r.get(
    '/metadata',
    { config: { public: true }, schema: { hide: true, response: { 200: resourceBody('CapabilityStatement') } } },
    async () => capabilityStatement(publicUrl.replace(/\/$/, ''), new Date().toISOString()),
  );

  for (const resource of fhirResourceTypes) registerResource(resource);

  function registerResource(resource: FhirResourceType) {
    r.get(
      `/${resource.type}/:id`,
      { config: { permission: 'payments:read' }, schema: { hide: true, params: z.object({ id: fhirId }), response: { 200: resourceBody(resource.type) } } },
      async (request) => resource.read(db, actorOf(request), request.params.id),
    );
    const names = resource.searchParams.map((p) => p.name);
    const query = z.object({
      ...Object.fromEntries(names.map((name) => [name, patientParam.optional()])),
      _count: z.coerce.number().int().min(1).max(200).default(50),
      _offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    });
    r.get(
      `/${resource.type}`,
      { config: { permission: 'payments:read' }, schema: { hide: true, querystring: query, response: { 200: resourceBody('Bundle') } } },
      async (request) => {
        const q = request.query as Record<string, string | number | undefined>;
        const given = names.filter((name) => q[name] !== undefined);
        if (given.length !== 1) {
          throw new AppError('validation_failed', `Search ${resource.type} by exactly one of: ${names.join(', ')} (the patient).`);
        }
        const name = given[0]!;
        const patientId = String(q[name]);
        const matches = await resource.searchByPatient(db, actorOf(request), patientId);
        return searchsetBundle(matches, { fhirBase, type: resource.type, params: { [name]: patientId }, count: Number(q._count), offset: Number(q._offset) });
      },
    );
  }
}
