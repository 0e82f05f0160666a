import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id, listOf, pageQuery } from '../../contracts/common.ts';
import { coverage, createPatientBody, patient, patientDetail, setCoveragesBody, updatePatientBody } from '../../contracts/patients.ts';
import type { Db } from '../../db/transaction.ts';
import { createPatient, getPatient, listPatients, setCoverages, updatePatient } from '../../services/patients/patients.ts';
import { actorOf } from '../plugins/authentication.ts';

export async function patientRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/patients',
    {
      config: { permission: 'patients:write' },
      schema: { tags: ['patients'], summary: 'Register a patient', body: createPatientBody, response: { 201: patient } },
    },
    async (request, reply) => reply.status(201).send(await createPatient(db, actorOf(request), request.body)),
  );
  r.get(
    '/patients',
    {
      schema: {
        tags: ['patients'],
        summary: 'Search patients by name, account ID, or date of birth (YYYY-MM-DD or MM/DD/YYYY)',
        querystring: pageQuery.extend({ search: z.string().trim().max(100).optional() }),
        response: { 200: listOf(patient) },
      },
    },
    async (request) => listPatients(db, actorOf(request), request.query),
  );
  r.get(
    '/patients/:id',
    {
      schema: {
        tags: ['patients'],
        summary: 'A patient with balance, coverages and treatments',
        params: z.object({ id }),
        response: { 200: patientDetail },
      },
    },
    async (request) => getPatient(db, actorOf(request), request.params.id),
  );
  r.patch(
    '/patients/:id',
    {
      config: { permission: 'patients:write' },
      schema: {
        tags: ['patients'],
        summary: "Edit the patient's name, date of birth, account ID, email or phone (audited)",
        params: z.object({ id }),
        body: updatePatientBody,
        response: { 200: patient },
      },
    },
    async (request) => updatePatient(db, actorOf(request), request.params.id, request.body),
  );
  r.put(
    '/patients/:id/coverages',
    {
      config: { permission: 'patients:write' },
      schema: {
        tags: ['patients'],
        summary: "Replace the patient's case coverages (primary, secondary, tertiary)",
        params: z.object({ id }),
        body: setCoveragesBody,
        response: { 200: z.array(coverage.extend({ id })) },
      },
    },
    async (request) => setCoverages(db, actorOf(request), request.params.id, request.body),
  );
}
