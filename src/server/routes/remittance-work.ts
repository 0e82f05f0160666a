import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id, listOf } from '../../contracts/common.ts';
import {
  claimSummary,
  searchClaimsQuery,
  denial,
  listDenialsQuery,
  listExceptionsQuery,
  matchExceptionBody,
  payerBalanceItem,
  payerBalances,
  refundPayerBalanceBody,
  offsetPayerBalanceBody,
  payerBalancesQuery,
  remittanceException,
  resolveExceptionBody,
} from '../../contracts/remittance-work.ts';
import type { Db } from '../../db/transaction.ts';
import { listDenials } from '../../services/remittance/denials.ts';
import { searchClaims } from '../../services/remittance/search-claims.ts';
import { offsetPayerBalances, payerBalancesReport, refundPayerBalance } from '../../services/remittance/payer-balances.ts';
import { listExceptions, matchException, resolveException } from '../../services/remittance/remittance-exceptions.ts';
import { actorOf } from '../plugins/authentication.ts';
import { idempotent } from '../plugins/idempotency.ts';

const params = z.object({ id });

/** Remittance work (SPEC section 6): the exceptions queue, the denials work list, payer balances. Billers and admins. */
export async function remittanceWorkRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const work = { permission: 'remittance:write' } as const;

  r.get(
    '/remittance-exceptions',
    {
      config: work,
      schema: {
        tags: ['remittance'],
        summary: 'Claim payments the import could not post, their money held in suspense: open (the queue, oldest first) or resolved (matched or resolved, newest first)',
        querystring: listExceptionsQuery,
        response: { 200: listOf(remittanceException) },
      },
    },
    async (request) => listExceptions(db, actorOf(request), request.query),
  );
  r.post(
    '/remittance-exceptions/:id/match',
    {
      config: work,
      schema: {
        tags: ['remittance'],
        summary: "Post the exception's claim payment to a claim by the posting rule, its money taken from suspense; once only (Idempotency-Key supported)",
        params,
        body: matchExceptionBody,
        response: { 200: remittanceException },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return (await idempotent(db, request, 200, (trx) => matchException(trx, actor, request.params.id, request.body.claimId))).body;
    },
  );
  r.post(
    '/remittance-exceptions/:id/resolve',
    {
      config: work,
      schema: {
        tags: ['remittance'],
        summary: 'Resolve an exception without a claim, with a note; what it holds in suspense becomes an amount owed to the payer (Idempotency-Key supported)',
        params,
        body: resolveExceptionBody,
        response: { 200: remittanceException },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return (await idempotent(db, request, 200, (trx) => resolveException(trx, actor, request.params.id, request.body))).body;
    },
  );
  r.get(
    '/denials',
    {
      config: work,
      schema: {
        tags: ['remittance'],
        summary: 'Denied claims (CLP02 4) and claims paid $0 with CO/PR reasons, with CARC and RARC codes described',
        querystring: listDenialsQuery,
        response: { 200: listOf(denial) },
      },
    },
    async (request) => listDenials(db, actorOf(request), request.query),
  );
  r.get(
    '/reports/payer-balances',
    {
      config: { permission: 'reports:ledger' },
      schema: {
        tags: ['reports'],
        summary: 'Money owed to or by each payer (recoupments, PLB WO/FB/72/L6/J1, reversals without correction, overpaid claims, exceptions returned), with the 60-day deadline; overdue flagged',
        querystring: payerBalancesQuery,
        response: { 200: payerBalances },
      },
    },
    async (request) => payerBalancesReport(db, actorOf(request), request.query),
  );
  r.get(
    '/claims',
    {
      config: work,
      schema: {
        tags: ['remittance'],
        summary: "The practice's claims by control number or patient name (to match an exception to), newest visit first",
        querystring: searchClaimsQuery,
        response: { 200: listOf(claimSummary) },
      },
    },
    async (request) => searchClaims(db, actorOf(request), request.query),
  );
  r.post(
    '/payer-balance-items/:id/refund',
    {
      config: { permission: 'remittance:write' },
      schema: {
        tags: ['reports'],
        summary: 'Record that an overpayment owed to a payer was returned (refund check or transfer): it leaves payer_overpayment and cash; once only (Idempotency-Key supported)',
        params,
        body: refundPayerBalanceBody,
        response: { 200: payerBalanceItem },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return (await idempotent(db, request, 200, (trx) => refundPayerBalance(trx, actor, request.params.id, request.body))).body;
    },
  );
  r.post(
    '/payer-balance-items/:id/offset',
    {
      config: { permission: 'remittance:write' },
      schema: {
        tags: ['reports'],
        summary: 'Settle an amount owed to a payer against the same amount owed by it (a recoupment netting a forwarded balance); no money moves; once only (Idempotency-Key supported)',
        params,
        body: offsetPayerBalanceBody,
        response: { 200: payerBalanceItem },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return (await idempotent(db, request, 200, (trx) => offsetPayerBalances(trx, actor, request.params.id, request.body))).body;
    },
  );
}
