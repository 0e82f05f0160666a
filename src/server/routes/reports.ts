import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { trialBalance, trialBalanceQuery } from '../../contracts/reports.ts';
import type { Db } from '../../db/transaction.ts';
import { trialBalance as computeTrialBalance } from '../../services/ledger/trial-balance.ts';
import { actorOf } from '../plugins/authentication.ts';

export async function reportRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/reports/trial-balance',
    {
      config: { permission: 'reports:ledger' },
      schema: {
        tags: ['reports'],
        summary: "Trial balance: the practice's balance on every ledger account as of a day; the balances sum to zero",
        querystring: trialBalanceQuery,
        response: { 200: trialBalance },
      },
    },
    async (request) => computeTrialBalance(db, actorOf(request).practiceId, request.query.asOf),
  );
}
