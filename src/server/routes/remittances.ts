import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id, listOf, pageQuery } from '../../contracts/common.ts';
import { remittanceImport, remittanceSummary } from '../../contracts/remittances.ts';
import type { Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { getRemittance, importRemittance, listRemittances, previewRemittance } from '../../services/remittance/import-remittance.ts';
import { actorOf } from '../plugins/authentication.ts';

/** The 835 of a request: the raw body (text/plain, application/edi-x12, octet-stream) or a multipart "file". */
async function fileOf(request: FastifyRequest): Promise<{ data: string | Buffer; fileName: string | undefined }> {
  if (request.isMultipart()) {
    const file = await request.file({ limits: { fileSize: 200 * 1024 * 1024, files: 1 } });
    if (!file) throw new AppError('validation_failed', 'No file in the upload.');
    const data = await file.toBuffer();
    if (data.length === 0) throw new AppError('file_unreadable', 'The file is empty.', { reason: 'empty_file' });
    return { data, fileName: file.filename };
  }
  const body = request.body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    if (body.length === 0) throw new AppError('file_unreadable', 'The file is empty.', { reason: 'empty_file' });
    const name = request.headers['x-file-name'];
    return { data: body, fileName: typeof name === 'string' ? name : undefined };
  }
  throw new AppError('validation_failed', 'Send the 835 file as text/plain, application/edi-x12 or multipart/form-data.');
}

export async function remittanceRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addContentTypeParser(['application/edi-x12', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: 200 * 1024 * 1024 }, (_request, body, done) => done(null, body));
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/remittances',
    {
      config: { permission: 'remittance:write' },
      bodyLimit: 200 * 1024 * 1024,
      schema: {
        tags: ['remittance'],
        summary: 'Import an X12 835 (body as text/plain, or multipart "file"); ?preview=true shows what it would post without posting',
        consumes: ['text/plain', 'application/edi-x12', 'multipart/form-data'],
        querystring: z.object({ preview: z.enum(['true', 'false']).optional() }),
        response: { 201: remittanceImport, 200: remittanceImport },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { data, fileName } = await fileOf(request);
      if (request.query.preview === 'true') return reply.status(200).send(await previewRemittance(db, actor, data, { fileName }));
      const result = await importRemittance(db, actor, data, { fileName });
      return reply.status(result.duplicate ? 200 : 201).send(result);
    },
  );
  r.get(
    '/remittances',
    { config: { permission: 'payments:read' }, schema: { tags: ['remittance'], summary: 'Past 835 imports, newest first', querystring: pageQuery, response: { 200: listOf(remittanceSummary) } } },
    async (request) => listRemittances(db, actorOf(request), request.query),
  );
  r.get(
    '/remittances/:id',
    { config: { permission: 'payments:read' }, schema: { tags: ['remittance'], summary: 'An import with its payments, claims, exceptions and warnings', params: z.object({ id }), response: { 200: remittanceImport } } },
    async (request) => getRemittance(db, actorOf(request), request.params.id),
  );
}
