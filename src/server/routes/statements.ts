import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id } from '../../contracts/common.ts';
import type { Config } from '../../config/config.ts';
import type { Db } from '../../db/transaction.ts';
import { practiceDate } from '../../services/practices/practice-settings.ts';
import { gatherStatement } from '../../services/statements/gather-statement.ts';
import { renderStatementPdf } from '../../services/statements/render-statement-pdf.ts';
import { actorOf } from '../plugins/authentication.ts';

/** Patient statements as PDF (SPEC section 7). */
export async function statementRoutes(app: FastifyInstance, { db, config }: { db: Db; config: Config }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/patients/:id/statement.pdf',
    {
      config: { permission: 'payments:read' },
      schema: {
        tags: ['patients'],
        summary: "The patient's statement as a PDF: visits with charges, insurance paid, adjustments, payments, credits, balance due, how to pay online",
        produces: ['application/pdf'],
        params: z.object({ id }),
      },
    },
    async (request, reply) => {
      const today = await practiceDate(db, actorOf(request).practiceId);
      const statement = await gatherStatement(db, actorOf(request), request.params.id, { publicUrl: config.publicUrl, today });
      const pdf = await renderStatementPdf(statement);
      const safeName = statement.patient.accountId.replace(/[^A-Za-z0-9-]/g, '_');
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="statement-${safeName}-${today}.pdf"`)
        .header('cache-control', 'no-store')
        .send(pdf);
    },
  );
}
