import { createHash } from 'node:crypto';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import { enqueueEvent } from '../../db/repositories/outbox.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { stream835, type Claim835, type Remittance835Summary } from '../../x12/index.ts';
import type { Actor } from '../actor.ts';
import { postClaimPayment, type PostedClaim } from './post-claim-payment.ts';
import { practiceDate } from '../practices/practice-settings.ts';

export interface ImportWarning {
  code: string;
  message: string;
  segmentNumber: number | null;
  controlNumber?: string | undefined;
}

export interface ImportResult {
  id: string;
  duplicate: boolean;
  fileName: string | null;
  claimCount: number;
  postedCount: number;
  exceptions: PostedClaim[];
  warnings: ImportWarning[];
  payments: Array<{
    controlNumber: string;
    payerName: string | null;
    traceNumber: string | null;
    paymentCents: number;
    providerAdjustmentCents: number;
    claimCount: number;
    balanced: boolean;
    status: 'posted' | 'duplicate' | 'failed';
    message: string | null;
  }>;
  claims: PostedClaim[];
}

type Source = string | Uint8Array | AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/** Feeds the reader while hashing what it reads, so a file is read once, however large. */
async function* hashing(source: Source, hash: ReturnType<typeof createHash>, counter: { bytes: number }) {
  const chunks = typeof source === 'string' || source instanceof Uint8Array ? [source] : source;
  for await (const chunk of chunks as AsyncIterable<string | Uint8Array>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    hash.update(bytes);
    counter.bytes += bytes.length;
    yield bytes;
  }
}

/**
 * Imports an X12 835 (SPEC section 6): each transaction set (one payer
 * payment) posts in its own transaction, so a broken set fails alone; every
 * CLP is posted or listed as an exception; PLB adjustments go to their own
 * account; BPR02 = ΣCLP04 − ΣPLB is checked and a mismatch is a warning. The
 * same file imported again posts nothing, and so does a payment (payer and
 * trace number) already posted from another file.
 *
 * Reading streams: only one transaction set's claims are held at a time.
 */
export async function importRemittance(
  db: Db,
  actor: Actor,
  source: Source,
  options: { fileName?: string | undefined; onProgress?: (progress: { bytes: number; claims: number }) => void } = {},
): Promise<ImportResult> {
  const hash = createHash('sha256');
  const counter = { bytes: 0 };
  const remittanceId = newId();
  const result: ImportResult = {
    id: remittanceId,
    duplicate: false,
    fileName: options.fileName ?? null,
    claimCount: 0,
    postedCount: 0,
    exceptions: [],
    warnings: [],
    payments: [],
    claims: [],
  };
  // The import's own row comes first (its id ties the postings together); its file hash is filled in at the end.
  await db
    .insertInto('remittances')
    .values({
      id: remittanceId,
      practiceId: actor.practiceId,
      fileSha256: `pending:${remittanceId}`,
      fileName: options.fileName ?? null,
      fileBytes: 0,
      claimCount: 0,
      postedCount: 0,
      exceptionCount: 0,
      warnings: '[]',
      createdAt: nowIso(),
      createdBy: actor.name,
    })
    .execute();

  let pending: Claim835[] = [];
  // Claims of a set post with the set; a set that breaks after them is dropped with them.
  const readerPromise = (async () => {
    for await (const event of stream835(hashing(source, hash, counter))) {
      if (event.type === 'claim') pending.push(event.claim);
      else if (event.type === 'error') {
        pending = [];
        const issue = event.error.toIssue();
        result.warnings.push({ code: issue.code, message: `Transaction set ${issue.controlNumber ?? '?'} was not posted: ${issue.message}`, segmentNumber: issue.segmentNumber, controlNumber: issue.controlNumber });
      } else if (event.type === 'warning') {
        result.warnings.push({ code: event.warning.code, message: event.warning.message, segmentNumber: event.warning.segmentNumber, controlNumber: event.warning.controlNumber });
      } else if (event.type === 'skipped') {
        result.warnings.push({ code: 'skipped_transaction_set', message: `Skipped a ${event.skipped.transactionSetId} transaction set (${event.skipped.controlNumber}): not an 835.`, segmentNumber: event.skipped.segmentNumber });
      } else if (event.type === 'transaction') {
        const claims = pending;
        pending = [];
        await postTransactionSet(db, actor, remittanceId, event.transaction, claims, result);
        options.onProgress?.({ bytes: counter.bytes, claims: result.claimCount });
      }
    }
  })();
  await readerPromise;

  const fileSha256 = hash.digest('hex');
  const earlier = await db
    .selectFrom('remittances')
    .select('id')
    .where('practiceId', '=', actor.practiceId)
    .where('fileSha256', '=', fileSha256)
    .executeTakeFirst();
  if (earlier) {
    // Every payment in it was already posted (the trace check saw to that): keep the first import as the record.
    await inTransaction(db, async (trx) => {
      await trx.deleteFrom('remittanceClaims').where('remittanceId', '=', remittanceId).execute();
      await trx.deleteFrom('providerAdjustments').where('remittancePaymentId', 'in', trx.selectFrom('remittancePayments').select('id').where('remittanceId', '=', remittanceId)).execute();
      await trx.deleteFrom('remittancePayments').where('remittanceId', '=', remittanceId).execute();
      await trx.deleteFrom('remittances').where('id', '=', remittanceId).execute();
    });
    if (result.postedCount > 0) throw new Error('a duplicate file posted claims: the trace check failed');
    return { ...(await getRemittance(db, actor, earlier.id)), duplicate: true, postedCount: 0 };
  }
  if (result.payments.length === 0 && result.claimCount === 0) {
    result.warnings.push({ code: 'no_835', message: 'The file holds no 835 payment that could be read.', segmentNumber: null });
  }
  await db
    .updateTable('remittances')
    .set({
      fileSha256,
      fileBytes: counter.bytes,
      claimCount: result.claimCount,
      postedCount: result.postedCount,
      exceptionCount: result.exceptions.length,
      warnings: JSON.stringify(result.warnings),
    })
    .where('id', '=', remittanceId)
    .execute();
  return result;
}

async function postTransactionSet(db: Db, actor: Actor, remittanceId: string, set: Remittance835Summary, claims: Claim835[], result: ImportResult) {
  const paymentId = newId();
  const payerId = set.trace?.payerId ?? set.payer?.id ?? null;
  const traceNumber = set.trace?.traceNumber ?? null;
  result.claimCount += claims.length;
  const summary = {
    controlNumber: set.controlNumber,
    payerName: set.payer?.name ?? null,
    traceNumber,
    paymentCents: set.payment.amountCents,
    providerAdjustmentCents: set.balance.providerAdjustmentCents,
    claimCount: claims.length,
    balanced: set.balance.balanced,
    status: 'posted' as 'posted' | 'duplicate' | 'failed',
    message: null as string | null,
  };
  if (!set.balance.balanced) {
    result.warnings.push({
      code: 'payment_does_not_balance',
      message: `Payment ${traceNumber ?? set.controlNumber}: BPR02 ${set.balance.paymentCents} cents ≠ ΣCLP04 ${set.balance.claimPaidCents} − ΣPLB ${set.balance.providerAdjustmentCents} (off by ${set.balance.differenceCents} cents).`,
      segmentNumber: set.segmentNumber,
      controlNumber: set.controlNumber,
    });
  }
  try {
    await inTransaction(db, async (trx) => {
      const already = traceNumber
        ? await trx
            .selectFrom('remittancePayments')
            .select('remittanceId')
            .where('practiceId', '=', actor.practiceId)
            .where('payerId', payerId === null ? 'is' : '=', payerId)
            .where('traceNumber', '=', traceNumber)
            .where('status', '=', 'posted')
            .executeTakeFirst()
        : undefined;
      summary.status = already ? 'duplicate' : 'posted';
      if (already) summary.message = `Already posted by import ${already.remittanceId}.`;
      await trx
        .insertInto('remittancePayments')
        .values({
          id: paymentId,
          practiceId: actor.practiceId,
          remittanceId,
          controlNumber: set.controlNumber,
          payerName: summary.payerName,
          payerId,
          traceNumber,
          paymentCents: set.payment.amountCents,
          paymentDate: set.payment.paymentDate,
          providerAdjustmentCents: set.balance.providerAdjustmentCents,
          balanced: set.balance.balanced ? 1 : 0,
          status: summary.status,
          message: summary.message,
          createdAt: nowIso(),
        })
        .execute();
      if (already) return;
      const context = {
        remittanceId,
        remittancePaymentId: paymentId,
        processedDate: set.payment.paymentDate ?? (await practiceDate(trx, actor.practiceId)),
        payerName: summary.payerName,
      };
      for (const clp of claims) {
        const posted = await postClaimPayment(trx, actor, clp, context);
        result.claims.push(posted);
        if (posted.outcome === 'exception') result.exceptions.push(posted);
        else result.postedCount++;
        for (const w of posted.warnings) result.warnings.push({ code: 'claim_warning', message: `Claim ${clp.patientControlNumber}: ${w}`, segmentNumber: clp.segmentNumber, controlNumber: set.controlNumber });
      }
      for (const plb of set.providerAdjustments) {
        await trx
          .insertInto('providerAdjustments')
          .values({ id: newId(), practiceId: actor.practiceId, remittancePaymentId: paymentId, providerId: plb.providerId, fiscalPeriodDate: plb.fiscalPeriodDate, reasonCode: plb.reasonCode, referenceId: plb.referenceId, amountCents: plb.amountCents })
          .execute();
        if (plb.amountCents !== 0) {
          // A positive PLB reduces the payment: the practice gets that much less cash from the payer.
          await postJournalEntry(trx, actor, {
            kind: 'remittance',
            source: { type: 'remittance_payment', id: paymentId },
            memo: `PLB ${plb.reasonCode}${plb.referenceId ? ` ${plb.referenceId}` : ''}`,
            lines: [
              { account: 'provider_adjustment', amountCents: plb.amountCents },
              { account: 'cash_clearing', amountCents: -plb.amountCents },
            ],
          });
        }
      }
      await recordAudit(trx, actor, {
        action: 'remittance.payment_posted',
        entityType: 'remittance',
        entityId: remittanceId,
        after: { controlNumber: set.controlNumber, traceNumber, paymentCents: set.payment.amountCents, claims: claims.length },
      });
      await enqueueEvent(trx, actor.practiceId, 'remittance.posted', { remittanceId, traceNumber, paymentCents: set.payment.amountCents });
    });
  } catch (error) {
    // One payment failing must not stop the others; it is reported with where it broke.
    if (error instanceof AppError || error instanceof Error) {
      summary.status = 'failed';
      summary.message = error.message;
      result.warnings.push({ code: 'transaction_set_failed', message: `Transaction set ${set.controlNumber} was not posted: ${error.message}`, segmentNumber: set.segmentNumber, controlNumber: set.controlNumber });
    } else {
      throw error;
    }
  }
  result.payments.push(summary);
}

class PreviewRollback extends Error {
  constructor(readonly result: ImportResult) {
    super('preview rolled back');
  }
}

/** What an import would post, without posting it: the whole import runs in one transaction that is then rolled back. */
export async function previewRemittance(db: Db, actor: Actor, source: Source, options: { fileName?: string | undefined } = {}): Promise<ImportResult> {
  try {
    await inTransaction(db, async (trx) => {
      throw new PreviewRollback(await importRemittance(trx, actor, source, options));
    });
  } catch (error) {
    if (error instanceof PreviewRollback) return error.result;
    throw error;
  }
  throw new Error('unreachable: a preview always rolls back');
}

export async function getRemittance(db: Db, actor: Actor, remittanceId: string): Promise<ImportResult> {
  const row = await db.selectFrom('remittances').selectAll().where('id', '=', remittanceId).where('practiceId', '=', actor.practiceId).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'Remittance not found.');
  const payments = await db.selectFrom('remittancePayments').selectAll().where('remittanceId', '=', remittanceId).orderBy('createdAt').orderBy('id').execute();
  const claims = await db.selectFrom('remittanceClaims').selectAll().where('remittanceId', '=', remittanceId).orderBy('segmentNumber').execute();
  const treatments = new Map<string, string>();
  for (const c of claims) {
    if (c.claimId && !treatments.has(c.claimId)) {
      const claim = await db.selectFrom('claims').select('treatmentId').where('id', '=', c.claimId).executeTakeFirst();
      if (claim) treatments.set(c.claimId, claim.treatmentId);
    }
  }
  const posted: PostedClaim[] = claims.map((c) => {
    const detail = JSON.parse(c.detail) as { forwardedCents?: number; toPatientCents?: number; paidCents?: number };
    return {
      outcome: (c.outcome === 'reversed' ? 'posted' : c.outcome) as PostedClaim['outcome'],
      patientControlNumber: c.patientControlNumber,
      statusCode: c.statusCode,
      claimId: c.claimId,
      treatmentId: c.claimId ? (treatments.get(c.claimId) ?? null) : null,
      paidCents: Number(c.paidCents),
      contractualCents: Number(c.contractualCents),
      patientResponsibilityCents: Number(c.patientResponsibilityCents),
      forwardedCents: detail.forwardedCents ?? 0,
      toPatientCents: detail.toPatientCents ?? 0,
      message: c.outcome === 'reversed' ? 'Posted, later reversed.' : c.message,
      segmentNumber: c.segmentNumber ?? 0,
      warnings: [],
    };
  });
  return {
    id: row.id,
    duplicate: false,
    fileName: row.fileName,
    claimCount: row.claimCount,
    postedCount: row.postedCount,
    exceptions: posted.filter((c) => c.outcome === 'exception'),
    warnings: JSON.parse(row.warnings) as ImportWarning[],
    payments: payments.map((p) => ({
      controlNumber: p.controlNumber,
      payerName: p.payerName,
      traceNumber: p.traceNumber,
      paymentCents: Number(p.paymentCents),
      providerAdjustmentCents: Number(p.providerAdjustmentCents),
      claimCount: claims.filter((c) => c.remittancePaymentId === p.id).length,
      balanced: p.balanced === 1,
      status: p.status as 'posted' | 'duplicate' | 'failed',
      message: p.message,
    })),
    claims: posted,
  };
}

export async function listRemittances(db: Db, actor: Actor, query: { page: number; pageSize: number }) {
  const base = db.selectFrom('remittances').where('practiceId', '=', actor.practiceId).where('fileSha256', 'not like', 'pending:%');
  const rows = await base
    .selectAll()
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize)
    .execute();
  const count = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return {
    items: rows.map((r) => ({
      id: r.id,
      fileName: r.fileName,
      fileBytes: Number(r.fileBytes),
      claimCount: r.claimCount,
      postedCount: r.postedCount,
      exceptionCount: r.exceptionCount,
      warningCount: (JSON.parse(r.warnings) as unknown[]).length,
      createdAt: r.createdAt,
      createdBy: r.createdBy,
    })),
    total: Number(count.n),
    page: query.page,
    pageSize: query.pageSize,
  };
}
