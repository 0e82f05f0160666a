import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id, listOf, pageQuery } from '../../contracts/common.ts';
import { remittanceImport, remittanceSummary } from '../../contracts/remittances.ts';
import type { Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { getRemittance, importRemittance, listRemittances, previewRemittance } from '../../services/remittance/import-remittance.ts';
import { actorOf } from '../plugins/authentication.ts';
import { idempotencyKeyOf, idempotent } from '../plugins/idempotency.ts';
import { readUploadedFile } from '../uploads.ts';

/** The largest 835 the API takes. */
const MAX_835_BYTES = 200 * 1024 * 1024;

/** Passes the body on as it arrives, refusing it past the limit: an 835 is read, hashed and posted as a stream. */
async function* limited(stream: AsyncIterable<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += chunk.length;
    if (bytes > MAX_835_BYTES) throw new AppError('body_too_large', 'An 835 file is at most 200 MB.');
    yield chunk;
  }
}

/** The 835 of a request: the raw body (text/plain, application/edi-x12, octet-stream), streamed, or a multipart "file". */
async function fileOf(request: FastifyRequest): Promise<{ data: AsyncIterable<Uint8Array | string> | string | Buffer; fileName: string | undefined }> {
  if (request.isMultipart()) {
    const file = await readUploadedFile(request, MAX_835_BYTES);
    if (!file) throw new AppError('validation_failed', 'No file in the upload.');
    return { data: file.data, fileName: file.fileName };
  }
  const body = request.body;
  const name = request.headers['x-file-name'];
  const fileName = typeof name === 'string' ? name : undefined;
  if (body instanceof Readable) return { data: limited(body), fileName };
  if (typeof body === 'string' || Buffer.isBuffer(body)) return { data: body, fileName };
  throw new AppError('validation_failed', 'Send the 835 file as text/plain, application/edi-x12 or multipart/form-data.');
}

/**
 * A request with an Idempotency-Key: the file is its fingerprint, so it is
 * read to the end first — into a temporary file, hashed on the way, never
 * whole in memory — and then imported from there.
 */
async function spooled(data: AsyncIterable<Uint8Array | string> | string | Buffer): Promise<{ file: string; sha256: string; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ledger-835-'));
  const file = join(dir, 'upload.835');
  const hash = createHash('sha256');
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const chunks = typeof data === 'string' || Buffer.isBuffer(data) ? [data] : data;
    await pipeline(
      Readable.from(chunks, { objectMode: false }),
      async function* (source: AsyncIterable<Buffer | string>) {
        for await (const chunk of source) {
          hash.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(file),
    );
  } catch (error) {
    await dispose();
    throw error;
  }
  return { file, sha256: hash.digest('hex'), dispose };
}

export async function remittanceRoutes(app: FastifyInstance, { db }: { db: Db }) {
  // In this scope only: an 835 body is not buffered (a 100 MB file imports in bounded memory); the import reads the request stream.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(['text/plain', 'application/edi-x12', 'application/octet-stream'], (_request, payload, done) => done(null, payload));
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/remittances',
    {
      config: { permission: 'remittance:write' },
      // The one large body: an 835, from a signed-in biller (onRequest refuses anyone else before reading it).
      bodyLimit: MAX_835_BYTES,
      schema: {
        tags: ['remittance'],
        summary: 'Import an X12 835 (body as text/plain, or multipart "file"); ?preview=true shows what it would post without posting (Idempotency-Key supported)',
        consumes: ['text/plain', 'application/edi-x12', 'multipart/form-data'],
        querystring: z.object({ preview: z.enum(['true', 'false']).optional() }),
        response: { 201: remittanceImport, 200: remittanceImport },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { data, fileName } = await fileOf(request);
      if (request.query.preview === 'true') return reply.status(200).send(await previewRemittance(db, actor, data, { fileName }));
      const statusOf = (r: { duplicate: boolean }) => (r.duplicate ? 200 : 201);
      if (idempotencyKeyOf(request) === undefined) {
        // Streamed and posted payment by payment; the import's own content check makes a repeated file post nothing.
        const result = await importRemittance(db, actor, data, { fileName });
        return reply.status(statusOf(result)).send(result);
      }
      const upload = await spooled(data);
      try {
        const result = await idempotent(db, request, statusOf, (trx) => importRemittance(trx, actor, createReadStream(upload.file), { fileName }), { content: `sha256:${upload.sha256}` });
        return reply.status(result.status).send(result.body);
      } finally {
        await upload.dispose();
      }
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
