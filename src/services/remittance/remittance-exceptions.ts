import type { ListExceptionsQuery, RemittanceException } from '../../contracts/remittance-work.ts';
import { nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import type { Db, Trx } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { formatCents } from '../../domain/money.ts';
import { checkClaimBalance } from '../../domain/remittance/claim-balance.ts';
import { suspensePayerBalance } from '../../domain/remittance/payer-balances.ts';
import type { Claim835 } from '../../x12/index.ts';
import type { Actor } from '../actor.ts';
import { practiceDate } from '../practices/practice-settings.ts';
import { pageWithTotal } from '../whole-list.ts';
import { recordPayerBalanceItem } from './payer-balances.ts';
import { postToClaim, type PostedClaim } from './post-claim-payment.ts';

/** CLP02 codes a biller may match to a claim: those the posting rule posts (processed, forwarded, denied). */
const matchableStatuses = ['1', '2', '3', '4', '19', '20', '21'] as const;
type MatchableStatus = (typeof matchableStatuses)[number];

/** The claim payment an exception holds, as read; absent for exceptions recorded before they kept it. */
function storedClaim(detail: string): Claim835 | undefined {
  return (JSON.parse(detail) as { claim?: Claim835 }).claim;
}

/** Why the claim payment cannot post by the rule, or null when a match can post it. */
function whyNotMatchable(clp: Claim835 | undefined): string | null {
  if (!clp) return 'This exception was recorded before exceptions kept their claim payment: resolve it by hand.';
  if (clp.problem) return `The claim payment cannot be read (${clp.problem.message}): resolve it instead.`;
  if (!(matchableStatuses as readonly string[]).includes(clp.status)) return `A claim payment of status ${clp.status} does not post to a claim: resolve it instead.`;
  const balance = checkClaimBalance(clp);
  if (!balance.balanced) return `${balance.message} Resolve it instead.`;
  return null;
}

function baseQuery(db: Db | Trx, actor: Actor) {
  return db
    .selectFrom('remittanceClaims as rc')
    .innerJoin('remittances as r', 'r.id', 'rc.remittanceId')
    .innerJoin('remittancePayments as rp', 'rp.id', 'rc.remittancePaymentId')
    .leftJoin('claims as c', (join) => join.onRef('c.id', '=', 'rc.claimId').on('rc.exceptionStatus', '=', 'matched'))
    .where('rc.practiceId', '=', actor.practiceId)
    .where('rc.outcome', 'in', ['exception', 'reversed'])
    .where('rc.exceptionStatus', 'is not', null);
}

/** The exceptions with what the list shows of their import and payment. */
function exceptionRows(db: Db | Trx, actor: Actor) {
  return baseQuery(db, actor)
    .selectAll('rc')
    .select(['r.fileName', 'r.createdAt as importedAt', 'rp.payerName', 'rp.traceNumber', 'rp.paymentDate', 'c.controlNumber as matchedControlNumber']);
}
type ExceptionRow = Awaited<ReturnType<ReturnType<typeof exceptionRows>['executeTakeFirstOrThrow']>>;

/** `GET /remittance-exceptions`: the queue, oldest first (open), or what was worked (matched or resolved), newest first. */
export async function listExceptions(db: Db, actor: Actor, query: ListExceptionsQuery) {
  const status = query.status ?? 'open';
  const byStatus: Record<typeof status, Array<'open' | 'matched' | 'resolved'>> = { open: ['open'], matched: ['matched'], resolved: ['matched', 'resolved'], all: ['open', 'matched', 'resolved'] };
  const statuses = byStatus[status];
  const page = await pageWithTotal(
    query,
    (n) =>
      exceptionRows(db, actor)
        .where('rc.exceptionStatus', 'in', statuses)
        .orderBy('rc.createdAt', status === 'open' ? 'asc' : 'desc')
        .orderBy('rc.id')
        .limit(query.pageSize)
        .offset((n - 1) * query.pageSize)
        .execute(),
    async () =>
      Number((await baseQuery(db, actor).where('rc.exceptionStatus', 'in', statuses).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
  );
  return { ...page, items: page.items.map(toException) };
}

async function oneException(db: Db | Trx, actor: Actor, exceptionId: string): Promise<RemittanceException> {
  const row = await exceptionRows(db, actor).where('rc.id', '=', exceptionId).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'Remittance exception not found.');
  return toException(row);
}

function toException(row: ExceptionRow): RemittanceException {
  const clp = storedClaim(row.detail);
  const patient = clp?.patient;
  return {
    id: row.id,
    remittanceId: row.remittanceId,
    fileName: row.fileName,
    importedAt: row.importedAt,
    payerName: row.payerName,
    traceNumber: row.traceNumber,
    paymentDate: row.paymentDate,
    patientControlNumber: row.patientControlNumber,
    patientName: patient ? [patient.firstName, patient.lastName].filter(Boolean).join(' ') || null : null,
    statusCode: row.statusCode,
    reasonCode: row.reasonCode,
    message: row.message,
    chargeCents: Number(row.chargeCents),
    paidCents: Number(row.paidCents),
    suspenseCents: Number(row.suspenseCents),
    status: row.exceptionStatus as RemittanceException['status'],
    matchable: row.exceptionStatus === 'open' && whyNotMatchable(clp) === null,
    matchedClaimId: row.exceptionStatus === 'matched' ? row.claimId : null,
    matchedControlNumber: row.matchedControlNumber ?? null,
    resolution: row.resolution,
    resolutionNote: row.resolutionNote,
    resolvedAt: row.resolvedAt,
    resolvedBy: row.resolvedBy,
  };
}

/**
 * `POST /remittance-exceptions/:id/match` {claimId}: posts the exception's
 * claim payment to the claim by the one posting rule, with the payer's money
 * taken out of suspense (not cash: it arrived with the payment). Once only:
 * the exception is taken by a conditional update (open → matched, one row or
 * none) before anything moves, so a second match, at once or later, is a 409.
 * Another practice's exception or claim is a 404.
 */
export async function matchException(trx: Trx, actor: Actor, exceptionId: string, claimId: string): Promise<RemittanceException> {
  const row = await trx
    .selectFrom('remittanceClaims as rc')
    .innerJoin('remittancePayments as rp', 'rp.id', 'rc.remittancePaymentId')
    .select(['rc.id', 'rc.remittanceId', 'rc.remittancePaymentId', 'rc.detail', 'rc.exceptionStatus', 'rc.suspenseCents', 'rc.patientControlNumber', 'rp.payerName', 'rp.payerId', 'rp.paymentDate'])
    .where('rc.id', '=', exceptionId)
    .where('rc.practiceId', '=', actor.practiceId)
    .where('rc.outcome', '=', 'exception')
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', 'Remittance exception not found.');
  const claim = await trx.selectFrom('claims').selectAll().where('id', '=', claimId).where('practiceId', '=', actor.practiceId).executeTakeFirst();
  if (!claim) throw new AppError('not_found', 'Claim not found.');
  if (row.exceptionStatus !== 'open') throw new AppError('exception_not_open', `This exception was already ${row.exceptionStatus}.`);
  const stored = storedClaim(row.detail);
  const why = whyNotMatchable(stored);
  if (why || !stored) throw new AppError('exception_not_matchable', why ?? 'Not matchable.');

  // SQLite has no FOR UPDATE and PostgreSQL re-checks the row after a concurrent commit: the conditional update is the lock.
  const taken = await trx
    .updateTable('remittanceClaims')
    .set({ exceptionStatus: 'matched', claimId: claim.id, resolution: 'matched', resolvedAt: nowIso(), resolvedBy: actor.name })
    .where('id', '=', row.id)
    .where('exceptionStatus', '=', 'open')
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) !== 1) throw new AppError('exception_not_open', 'This exception was matched or resolved by someone else just now.');

  const posted = await postToClaim(trx, actor, {
    clp: { ...stored, patientControlNumber: claim.controlNumber },
    claim,
    code: stored.status as MatchableStatus,
    context: {
      remittanceId: row.remittanceId,
      remittancePaymentId: row.remittancePaymentId,
      processedDate: row.paymentDate ?? (await practiceDate(trx, actor.practiceId)),
      payerName: row.payerName,
      payerId: row.payerId,
    },
    fundedFrom: 'remittance_suspense',
  });
  if (!posted) throw new AppError('claim_not_open', `Claim ${claim.controlNumber} is already ${claim.status === 'submitted' ? 'posted' : claim.status}: it takes no other payment.`);
  // This row is now the claim's live posting: a later reversal (22) undoes exactly what the match posted.
  await trx
    .updateTable('remittanceClaims')
    .set({ postingClaimId: claim.id, contractualCents: posted.detail.contractualCents, detail: JSON.stringify({ ...posted.detail, claim: stored }) })
    .where('id', '=', row.id)
    .execute();
  await recordAudit(trx, actor, {
    action: 'remittance_exception.matched',
    entityType: 'remittance_exception',
    entityId: row.id,
    before: { status: 'open', patientControlNumber: row.patientControlNumber, suspenseCents: Number(row.suspenseCents) },
    after: { status: 'matched', claimId: claim.id, controlNumber: claim.controlNumber, outcome: posted.result.outcome, ...summary(posted.result) },
  });
  return oneException(trx, actor, row.id);
}

function summary(p: PostedClaim) {
  return { paidCents: p.paidCents, contractualCents: p.contractualCents, forwardedCents: p.forwardedCents, toPatientCents: p.toPatientCents };
}

/**
 * `POST /remittance-exceptions/:id/resolve` {resolution, note}: the exception
 * leaves the queue without a claim. What it holds in suspense is the payer's
 * money the practice cannot place (returned to the payer, not ours, paid
 * twice…): it becomes a payer balance owed to the payer on
 * payer_overpayment, with its 60-day deadline — never patient money.
 */
export async function resolveException(trx: Trx, actor: Actor, exceptionId: string, input: { resolution: string; note: string }): Promise<RemittanceException> {
  const row = await trx
    .selectFrom('remittanceClaims as rc')
    .innerJoin('remittancePayments as rp', 'rp.id', 'rc.remittancePaymentId')
    .select(['rc.id', 'rc.remittancePaymentId', 'rc.exceptionStatus', 'rc.suspenseCents', 'rc.patientControlNumber', 'rp.payerName', 'rp.payerId', 'rp.traceNumber'])
    .where('rc.id', '=', exceptionId)
    .where('rc.practiceId', '=', actor.practiceId)
    .where('rc.outcome', '=', 'exception')
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', 'Remittance exception not found.');
  if (row.exceptionStatus !== 'open') throw new AppError('exception_not_open', `This exception was already ${row.exceptionStatus}.`);
  const taken = await trx
    .updateTable('remittanceClaims')
    .set({ exceptionStatus: 'resolved', resolution: input.resolution, resolutionNote: input.note, resolvedAt: nowIso(), resolvedBy: actor.name })
    .where('id', '=', row.id)
    .where('exceptionStatus', '=', 'open')
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) !== 1) throw new AppError('exception_not_open', 'This exception was matched or resolved by someone else just now.');
  const owed = suspensePayerBalance(Number(row.suspenseCents));
  if (owed) {
    await recordPayerBalanceItem(trx, actor, {
      payerName: row.payerName,
      payerId: row.payerId,
      ...owed,
      source: 'exception_resolved',
      remittancePaymentId: row.remittancePaymentId,
      remittanceClaimId: row.id,
      reference: row.patientControlNumber,
      description: `${formatCents(Number(row.suspenseCents))} for claim payment ${row.patientControlNumber} in payment ${row.traceNumber ?? ''} resolved as ${input.resolution.replaceAll('_', ' ')}: ${input.note}`,
      counterAccount: 'remittance_suspense',
    });
  }
  await recordAudit(trx, actor, {
    action: 'remittance_exception.resolved',
    entityType: 'remittance_exception',
    entityId: row.id,
    before: { status: 'open', suspenseCents: Number(row.suspenseCents) },
    after: { status: 'resolved', resolution: input.resolution, note: input.note },
  });
  return oneException(trx, actor, row.id);
}
