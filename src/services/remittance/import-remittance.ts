import { createHash } from 'node:crypto';
import { newId, nowIso } from '../../db/ids.ts';
import { flushDeferredRows, withDeferredRows } from '../../db/deferred-rows.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import { enqueueEvent } from '../../db/repositories/outbox.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { formatCents } from '../../domain/money.ts';
import { isPayerBalancePlb, plbPayerBalance } from '../../domain/remittance/payer-balances.ts';
import { providerAdjustmentJournalLines } from '../../domain/remittance/remittance-journal-lines.ts';
import { recordPayerBalanceItem } from './payer-balances.ts';
import { SNIFF_BYTES, sniffX12, stream835, type Claim835, type Remittance835Summary } from '../../x12/index.ts';
import type { Actor } from '../actor.ts';
import {
  claimContentSha256,
  postClaimPayment,
  readSetLookups,
  recordClaimException,
  releaseSetTake,
  takeSetClaims,
  recordDuplicateClaim,
  type ClaimOutcome,
  type ClaimReasonCode,
  type PostedClaim,
  type PostingContext,
} from './post-claim-payment.ts';
import { practiceDate } from '../practices/practice-settings.ts';

export interface ImportWarning {
  code: string;
  message: string;
  segmentNumber: number | null;
  controlNumber?: string | undefined;
}

export interface ImportedPayment {
  controlNumber: string;
  payerName: string | null;
  traceNumber: string | null;
  paymentCents: number;
  providerAdjustmentCents: number;
  claimCount: number;
  postedCount: number;
  exceptionCount: number;
  duplicateCount: number;
  balanced: boolean;
  status: 'posted' | 'duplicate' | 'failed';
  message: string | null;
}

export interface ImportResult {
  id: string;
  /** The whole file was imported before: nothing was posted, every claim is a duplicate of that import. */
  duplicate: boolean;
  fileName: string | null;
  createdAt: string;
  /** Every CLP read: postedCount + exceptions + duplicates. */
  claimCount: number;
  /** Posted: processed, denied or reversed. */
  postedCount: number;
  exceptionCount: number;
  duplicateCount: number;
  exceptions: PostedClaim[];
  /** Claims skipped because the same claim payment was already posted, each naming the earlier import. */
  duplicates: PostedClaim[];
  /** The lists hold at most LIST_LIMIT entries each (a 100 MB file has hundreds of thousands of claims); the counts are whole. */
  truncated: boolean;
  warnings: ImportWarning[];
  payments: ImportedPayment[];
  claims: PostedClaim[];
}

type Source = string | Uint8Array | AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/**
 * Takes the first bytes of the source to check it is X12 at all before
 * anything is stored, then hands on a source that replays them and goes on.
 */
async function sniffed(source: Source): Promise<AsyncIterable<Uint8Array>> {
  const chunks = typeof source === 'string' || source instanceof Uint8Array ? [source] : source;
  const iterator = (chunks as AsyncIterable<string | Uint8Array>)[Symbol.asyncIterator]?.() ?? toAsync(chunks as Iterable<string | Uint8Array>);
  const head: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  while (size < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    const bytes = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
    head.push(bytes);
    size += bytes.length;
  }
  const first = Buffer.concat(head);
  const refusal = sniffX12(first.subarray(0, SNIFF_BYTES), ended);
  if (refusal) throw new AppError('file_unreadable', refusal.message, { reason: refusal.code });
  return (async function* () {
    if (first.length > 0) yield first;
    if (ended) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      yield typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
    }
  })();
}

function toAsync<T>(items: Iterable<T>): AsyncIterator<T> {
  const it = items[Symbol.iterator]();
  return { next: async () => it.next() };
}

/** Feeds the reader while hashing what it reads, so a file is read once, however large. */
async function* hashing(source: Source, hash: ReturnType<typeof createHash>, counter: { bytes: number; nulAt: number | null }) {
  const chunks = typeof source === 'string' || source instanceof Uint8Array ? [source] : source;
  for await (const chunk of chunks as AsyncIterable<string | Uint8Array>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    hash.update(bytes);
    const nul = bytes.indexOf(0);
    if (nul !== -1) {
      // X12 never holds NUL and PostgreSQL text cannot store it: read it as "?" (the claims it lands in will not balance or match).
      counter.nulAt ??= counter.bytes + nul;
      const copy = Buffer.from(bytes);
      for (let i = nul; i < copy.length; i++) if (copy[i] === 0) copy[i] = 0x3f;
      counter.bytes += bytes.length;
      yield copy;
      continue;
    }
    counter.bytes += bytes.length;
    yield bytes;
  }
}

/**
 * A transaction set's content without its envelope (ISA/GS/ST control
 * numbers, segment positions): the same payment re-sent in a new envelope
 * hashes the same, so it is a duplicate; anything else that differs is new.
 */
export function setContentSha256(set: Remittance835Summary, claims: readonly Claim835[]): string {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({
      payment: set.payment,
      trace: set.trace,
      payer: set.payer,
      payee: set.payee,
      productionDate: set.productionDate,
      plb: set.providerAdjustments.map((p) => [p.providerId, p.fiscalPeriodDate, p.reasonCode, p.referenceId, p.amountCents]),
    }),
  );
  for (const clp of claims) hash.update(claimContentSha256(clp));
  return hash.digest('hex');
}

const dollars = formatCents;

/**
 * Imports an X12 835 (SPEC section 6). Every CLP is accounted for exactly
 * once: posted, an exception (with its reason, its money in suspense) or a
 * duplicate (naming the import that posted it). Each transaction set (one
 * payer payment) posts in its own transaction, each claim in a savepoint, so
 * a claim that cannot post becomes an exception and the rest of the payment
 * posts. A set whose content (envelope aside) was already posted is a
 * duplicate, enforced by a unique key, so two imports of it at once post it
 * once. PLB adjustments go to their own account; BPR02 = ΣCLP04 − ΣPLB is
 * checked and a mismatch is a warning in dollars.
 *
 * Reading streams: only one transaction set's claims are held at a time.
 */
export async function importRemittance(
  db: Db,
  actor: Actor,
  source: Source,
  options: { fileName?: string | undefined; onProgress?: (progress: { bytes: number; claims: number }) => void } = {},
): Promise<ImportResult> {
  // Refused before anything is stored: an empty file, UTF-16, binary data, a terminator that is not the ISA's.
  const checked = await sniffed(source);
  const hash = createHash('sha256');
  const counter = { bytes: 0, nulAt: null as number | null };
  const remittanceId = newId();
  const createdAt = nowIso();
  let firstError: string | null = null;
  const skippedKinds = new Set<string>();
  const result: ImportResult = {
    id: remittanceId,
    duplicate: false,
    fileName: options.fileName ?? null,
    createdAt,
    claimCount: 0,
    postedCount: 0,
    exceptionCount: 0,
    duplicateCount: 0,
    exceptions: [],
    duplicates: [],
    truncated: false,
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
      duplicateCount: 0,
      warnings: '[]',
      createdAt,
      createdBy: actor.name,
    })
    .execute();

  let pending: Claim835[] = [];
  // Claims of a set post with the set; a set that breaks after them is dropped with them.
  for await (const event of stream835(hashing(checked, hash, counter))) {
    if (event.type === 'claim') pending.push(event.claim);
    else if (event.type === 'error') {
      pending = [];
      const issue = event.error.toIssue();
      firstError ??= issue.message;
      result.warnings.push({ code: issue.code, message: `Transaction set ${issue.controlNumber ?? '?'} was not posted: ${issue.message}`, segmentNumber: issue.segmentNumber, controlNumber: issue.controlNumber });
    } else if (event.type === 'warning') {
      result.warnings.push({ code: event.warning.code, message: event.warning.message, segmentNumber: event.warning.segmentNumber, controlNumber: event.warning.controlNumber });
    } else if (event.type === 'skipped') {
      skippedKinds.add(event.skipped.transactionSetId);
      result.warnings.push({ code: 'skipped_transaction_set', message: `Skipped a ${event.skipped.transactionSetId} transaction set (${event.skipped.controlNumber}): not an 835.`, segmentNumber: event.skipped.segmentNumber });
    } else if (event.type === 'transaction') {
      const claims = pending;
      pending = [];
      await postTransactionSet(db, actor, { id: remittanceId, fileName: result.fileName, createdAt }, event.transaction, claims, result);
      options.onProgress?.({ bytes: counter.bytes, claims: result.claimCount });
    }
  }

  if (counter.nulAt !== null) {
    result.warnings.push({ code: 'nul_bytes', message: `The file holds NUL bytes (the first at byte ${counter.nulAt + 1}), which X12 never does; they were read as "?".`, segmentNumber: null });
  }
  const fileSha256 = hash.digest('hex');
  const earlier = await db
    .selectFrom('remittances')
    .select(['id', 'fileName', 'createdAt'])
    .where('practiceId', '=', actor.practiceId)
    .where('fileSha256', '=', fileSha256)
    .executeTakeFirst();
  if (earlier && result.postedCount === 0 && result.exceptionCount === 0) {
    // The very same file again: keep the first import as the record; this answer says what it would have done (nothing).
    await inTransaction(db, async (trx) => {
      await trx.deleteFrom('remittanceClaims').where('remittanceId', '=', remittanceId).execute();
      await trx.deleteFrom('providerAdjustments').where('remittancePaymentId', 'in', trx.selectFrom('remittancePayments').select('id').where('remittanceId', '=', remittanceId)).execute();
      await trx.deleteFrom('remittancePayments').where('remittanceId', '=', remittanceId).execute();
      await trx.deleteFrom('remittances').where('id', '=', remittanceId).execute();
    });
    return { ...result, id: earlier.id, duplicate: true, fileName: earlier.fileName, createdAt: earlier.createdAt };
  }
  if (result.payments.length === 0) {
    // Nothing was read, so nothing was posted: the import's own row goes too, and the file is refused.
    await db.deleteFrom('remittances').where('id', '=', remittanceId).execute();
    const why = firstError
      ? `No 835 payment could be read: ${firstError}`
      : skippedKinds.size > 0
        ? `The file holds no 835 transaction set, only ${[...skippedKinds].join(', ')}.`
        : 'The file holds no 835 transaction set.';
    throw new AppError('file_unreadable', why, { reason: 'no_835' });
  }
  await db
    .updateTable('remittances')
    .set({
      // A file seen before that still posted something (a set that failed then): stored apart from the first.
      fileSha256: earlier ? `${fileSha256}:${remittanceId}` : fileSha256,
      fileBytes: counter.bytes,
      claimCount: result.claimCount,
      postedCount: result.postedCount,
      exceptionCount: result.exceptionCount,
      duplicateCount: result.duplicateCount,
      warnings: JSON.stringify(result.warnings),
    })
    .where('id', '=', remittanceId)
    .execute();
  return result;
}

const RETRIES = 3;
/** What an answer lists per kind; the counts are always whole. */
export const LIST_LIMIT = 1000;

/** PostgreSQL's deadlock and serialization failures: the whole set is tried again. */
function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

interface SetOutcome {
  payment: ImportedPayment;
  claims: PostedClaim[];
  warnings: ImportWarning[];
}

async function postTransactionSet(
  db: Db,
  actor: Actor,
  remittance: { id: string; fileName: string | null; createdAt: string },
  set: Remittance835Summary,
  claims: Claim835[],
  result: ImportResult,
) {
  const contentSha256 = setContentSha256(set, claims);
  let outcome: SetOutcome | undefined;
  for (let attempt = 1; !outcome; attempt++) {
    try {
      // The set's audit, outbox and journal rows are written together at its end (multi-row inserts), not per claim.
      outcome = await inTransaction(db, (trx) => withDeferredRows(trx, () => postSetIn(trx, actor, remittance, set, claims, contentSha256)));
    } catch (error) {
      if (!isRetryable(error) || attempt >= RETRIES) throw error;
    }
  }
  result.claimCount += claims.length;
  result.payments.push(outcome.payment);
  const keep = <T>(list: T[], item: T) => {
    if (list.length < LIST_LIMIT) list.push(item);
    else result.truncated = true;
  };
  for (const w of outcome.warnings) keep(result.warnings, w);
  for (const posted of outcome.claims) {
    keep(result.claims, posted);
    if (posted.outcome === 'exception') {
      result.exceptionCount++;
      keep(result.exceptions, posted);
    } else if (posted.outcome === 'duplicate') {
      result.duplicateCount++;
      keep(result.duplicates, posted);
    } else result.postedCount++;
    for (const w of posted.warnings) keep(result.warnings, { code: 'claim_warning', message: `Claim ${posted.patientControlNumber}: ${w}`, segmentNumber: posted.segmentNumber, controlNumber: set.controlNumber });
  }
}

async function postSetIn(
  trx: Trx,
  actor: Actor,
  remittance: { id: string; fileName: string | null; createdAt: string },
  set: Remittance835Summary,
  claims: Claim835[],
  contentSha256: string,
): Promise<SetOutcome> {
  const paymentId = newId();
  const payerId = set.trace?.payerId ?? set.payer?.id ?? null;
  const traceNumber = set.trace?.traceNumber ?? null;
  const label = traceNumber ?? set.controlNumber;
  const warnings: ImportWarning[] = [];
  const payment: ImportedPayment = {
    controlNumber: set.controlNumber,
    payerName: set.payer?.name ?? null,
    traceNumber,
    paymentCents: set.payment.amountCents,
    providerAdjustmentCents: set.balance.providerAdjustmentCents,
    claimCount: claims.length,
    postedCount: 0,
    exceptionCount: 0,
    duplicateCount: 0,
    balanced: set.balance.balanced,
    status: 'posted',
    message: null,
  };
  if (!set.balance.balanced) {
    warnings.push({
      code: 'payment_does_not_balance',
      message: `Payment ${label} does not balance by ${dollars(set.balance.differenceCents)}: BPR02 ${dollars(set.balance.paymentCents)} ≠ claims paid ${dollars(set.balance.claimPaidCents)} − provider adjustments ${dollars(set.balance.providerAdjustmentCents)}.`,
      segmentNumber: set.segmentNumber,
      controlNumber: set.controlNumber,
    });
  }
  const row = {
    id: paymentId,
    practiceId: actor.practiceId,
    remittanceId: remittance.id,
    controlNumber: set.controlNumber,
    payerName: payment.payerName,
    payerId,
    traceNumber,
    paymentCents: set.payment.amountCents,
    paymentDate: set.payment.paymentDate,
    providerAdjustmentCents: set.balance.providerAdjustmentCents,
    balanced: set.balance.balanced ? 1 : 0,
    contentSha256,
    createdAt: nowIso(),
  };
  // The unique posted content is the claim on this payment: a second import of the same content (even at the same instant) inserts nothing.
  const claimed = await trx
    .insertInto('remittancePayments')
    .values({ ...row, status: 'posted', message: null, postedContentSha256: contentSha256 })
    .onConflict((oc) => oc.columns(['practiceId', 'postedContentSha256']).doNothing())
    .executeTakeFirst();
  const context: PostingContext = {
    remittanceId: remittance.id,
    remittancePaymentId: paymentId,
    processedDate: set.payment.paymentDate ?? (await practiceDate(trx, actor.practiceId)),
    payerName: payment.payerName,
    payerId,
  };
  const posted: PostedClaim[] = [];

  if (Number(claimed.numInsertedOrUpdatedRows ?? 0) !== 1) {
    const first = await trx
      .selectFrom('remittancePayments as rp')
      .innerJoin('remittances as r', 'r.id', 'rp.remittanceId')
      .select(['rp.remittanceId', 'r.fileName', 'r.createdAt'])
      .where('rp.practiceId', '=', actor.practiceId)
      .where('rp.postedContentSha256', '=', contentSha256)
      .executeTakeFirstOrThrow();
    const earlier = { remittanceId: first.remittanceId, fileName: first.fileName, importedAt: first.createdAt };
    payment.status = 'duplicate';
    payment.message = `Already posted by import ${earlier.fileName ?? earlier.remittanceId} of ${earlier.importedAt.slice(0, 10)}.`;
    payment.duplicateCount = claims.length;
    await trx.insertInto('remittancePayments').values({ ...row, status: 'duplicate', message: payment.message, postedContentSha256: null }).execute();
    for (const clp of claims) posted.push(await recordDuplicateClaim(trx, actor, clp, context, earlier));
    return { payment, claims: posted, warnings };
  }

  if (traceNumber) {
    const sameTrace = await trx
      .selectFrom('remittancePayments as rp')
      .innerJoin('remittances as r', 'r.id', 'rp.remittanceId')
      .select(['r.fileName', 'r.createdAt', 'rp.remittanceId'])
      .where('rp.practiceId', '=', actor.practiceId)
      .where('rp.traceNumber', '=', traceNumber)
      .where('rp.payerId', payerId === null ? 'is' : '=', payerId)
      .where('rp.status', '=', 'posted')
      .where('rp.id', '<>', paymentId)
      .executeTakeFirst();
    if (sameTrace) {
      warnings.push({
        code: 'trace_number_reused',
        message: `Payment ${traceNumber} from ${payment.payerName ?? 'the payer'}: the same trace number was posted by import ${sameTrace.fileName ?? sameTrace.remittanceId} of ${sameTrace.createdAt.slice(0, 10)} with different content; this one was posted too.`,
        segmentNumber: set.segmentNumber,
        controlNumber: set.controlNumber,
      });
    }
  }

  const lookups = await readSetLookups(trx, actor, claims);
  context.lookups = lookups;
  const seen = new Set<string>();
  // The claims are taken set-wise, a run of CLPs at a time: up to the next reversal, which may cancel a claim after it.
  let takenUpTo = 0;
  for (const [i, clp] of claims.entries()) {
    if (i >= takenUpTo && clp.status !== '22') {
      const reversal = claims.findIndex((c, j) => j > i && c.status === '22');
      takenUpTo = reversal === -1 ? claims.length : reversal;
      await takeSetClaims(trx, claims.slice(i, takenUpTo), { ...context, lookups });
    }
    // A reversal, or a claim met again in this set, reads the claim records (and a reversal the applications) the set has written so far: written out first, outside the claim's savepoint.
    if (clp.status === '22' || seen.has(clp.patientControlNumber)) await flushDeferredRows(trx, ['remittanceClaims', 'applications']);
    seen.add(clp.patientControlNumber);
    try {
      // A savepoint per claim: one that cannot post is rolled back alone and becomes an exception. Undivided: the posting's own steps (applications) join it rather than take savepoints of their own.
      posted.push(await inTransaction(trx, (step) => postClaimPayment(step, actor, clp, context), { undivided: true }));
    } catch (error) {
      if (isRetryable(error)) throw error;
      // The claim's steps were rolled back, and with them what it applied: the set's funds no longer say what the database holds.
      lookups.funds.clear();
      // Its claim, if the set took it, was taken outside the savepoint: put back too.
      await releaseSetTake(trx, lookups, clp);
      const reason = error instanceof Error ? error.message : String(error);
      posted.push(await recordClaimException(trx, actor, clp, context, 'posting_failed', `Could not be posted: ${reason}`));
    }
  }
  for (const plb of set.providerAdjustments) {
    const providerAdjustmentId = newId();
    await trx
      .insertInto('providerAdjustments')
      .values({ id: providerAdjustmentId, practiceId: actor.practiceId, remittancePaymentId: paymentId, providerId: plb.providerId, fiscalPeriodDate: plb.fiscalPeriodDate, reasonCode: plb.reasonCode, referenceId: plb.referenceId, amountCents: plb.amountCents })
      .execute();
    const owed = isPayerBalancePlb(plb.reasonCode) ? plbPayerBalance(plb.amountCents) : null;
    if (owed) {
      // Recoupments, forwarded balances, returns, interest and nonreimbursables are money between the practice and the payer: payer_overpayment, never a provider adjustment or patient money.
      await recordPayerBalanceItem(trx, actor, {
        payerName: payment.payerName,
        payerId,
        ...owed,
        source: 'provider_adjustment',
        remittancePaymentId: paymentId,
        providerAdjustmentId,
        reasonCode: plb.reasonCode,
        reference: plb.referenceId,
        description: `PLB ${plb.reasonCode}${plb.referenceId ? ` ${plb.referenceId}` : ''} of ${dollars(plb.amountCents)} in payment ${label}: ${owed.direction === 'owed_to_payer' ? 'the payer paid it ahead and will take it back' : 'the payer withheld it'}.`,
        counterAccount: 'cash_clearing',
      });
      continue;
    }
    const lines = providerAdjustmentJournalLines(plb.amountCents);
    if (lines.length > 0) {
      await postJournalEntry(trx, actor, { kind: 'remittance', source: { type: 'remittance_payment', id: paymentId }, memo: `PLB ${plb.reasonCode}${plb.referenceId ? ` ${plb.referenceId}` : ''}`, lines });
    }
  }
  // A reversal with no corrected payment for the claim in the same payment: the payer took its money back (netted in this payment).
  const reversals = posted.filter((c) => c.outcome === 'reversal' && c.claimId !== null && c.paidCents < 0);
  if (reversals.length > 0) await flushDeferredRows(trx, ['remittanceClaims']);
  for (const reversal of reversals) {
    const corrected = posted.some((c) => c.claimId === reversal.claimId && (c.outcome === 'posted' || c.outcome === 'denied'));
    if (corrected) continue;
    const row = await trx
      .selectFrom('remittanceClaims')
      .select('id')
      .where('remittancePaymentId', '=', paymentId)
      .where('claimId', '=', reversal.claimId)
      .where('outcome', '=', 'reversal')
      .where('segmentNumber', '=', reversal.segmentNumber)
      .executeTakeFirstOrThrow();
    await recordPayerBalanceItem(trx, actor, {
      payerName: payment.payerName,
      payerId,
      direction: 'owed_to_payer',
      amountCents: -reversal.paidCents,
      source: 'reversal_without_correction',
      remittancePaymentId: paymentId,
      remittanceClaimId: row.id,
      reference: reversal.patientControlNumber,
      description: `Claim ${reversal.patientControlNumber} was reversed (${dollars(reversal.paidCents)}) with no corrected payment: the payer recouped it in payment ${label}; the claim is open again.`,
      settledAtOnce: true,
    });
  }
  payment.postedCount = posted.filter((c) => c.outcome !== 'exception' && c.outcome !== 'duplicate').length;
  payment.exceptionCount = posted.filter((c) => c.outcome === 'exception').length;
  payment.duplicateCount = posted.filter((c) => c.outcome === 'duplicate').length;
  await recordAudit(trx, actor, {
    action: 'remittance.payment_posted',
    entityType: 'remittance',
    entityId: remittance.id,
    after: { controlNumber: set.controlNumber, traceNumber, paymentCents: set.payment.amountCents, claims: claims.length, posted: payment.postedCount, exceptions: payment.exceptionCount, duplicates: payment.duplicateCount },
  });
  await enqueueEvent(trx, actor.practiceId, 'remittance.posted', { remittanceId: remittance.id, traceNumber, paymentCents: set.payment.amountCents });
  return { payment, claims: posted, warnings };
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
  const claims = await db
    .selectFrom('remittanceClaims as rc')
    .leftJoin('claims as c', 'c.id', 'rc.claimId')
    .leftJoin('remittances as earlier', 'earlier.id', 'rc.duplicateOfRemittanceId')
    .selectAll('rc')
    .select(['c.treatmentId', 'earlier.fileName as earlierFileName', 'earlier.createdAt as earlierCreatedAt'])
    .where('rc.remittanceId', '=', remittanceId)
    .orderBy('rc.segmentNumber')
    .orderBy('rc.createdAt')
    .execute();
  const posted: PostedClaim[] = claims.map((c) => {
    const detail = JSON.parse(c.detail) as { forwardedCents?: number; toPatientCents?: number; paidCents?: number };
    return {
      outcome: (c.outcome === 'reversed' ? 'posted' : c.outcome) as ClaimOutcome,
      patientControlNumber: c.patientControlNumber,
      statusCode: c.statusCode,
      claimId: c.claimId,
      treatmentId: c.treatmentId ?? null,
      paidCents: Number(c.paidCents),
      contractualCents: Number(c.contractualCents),
      patientResponsibilityCents: Number(c.patientResponsibilityCents),
      forwardedCents: detail.forwardedCents ?? 0,
      toPatientCents: detail.toPatientCents ?? 0,
      reasonCode: c.reasonCode as ClaimReasonCode | null,
      message: c.outcome === 'reversed' ? 'Posted, later reversed.' : c.message,
      duplicateOf: c.duplicateOfRemittanceId ? { remittanceId: c.duplicateOfRemittanceId, fileName: c.earlierFileName ?? null, importedAt: c.earlierCreatedAt ?? '' } : null,
      segmentNumber: c.segmentNumber ?? 0,
      warnings: [],
    };
  });
  const count = (paymentId: string, test: (c: PostedClaim) => boolean) => claims.filter((c, i) => c.remittancePaymentId === paymentId && test(posted[i]!)).length;
  const isException = (c: PostedClaim) => c.outcome === 'exception';
  const isDuplicate = (c: PostedClaim) => c.outcome === 'duplicate';
  return {
    id: row.id,
    duplicate: false,
    fileName: row.fileName,
    createdAt: row.createdAt,
    claimCount: row.claimCount,
    postedCount: row.postedCount,
    exceptionCount: row.exceptionCount,
    duplicateCount: row.duplicateCount,
    exceptions: posted.filter(isException),
    duplicates: posted.filter(isDuplicate),
    truncated: false,
    warnings: JSON.parse(row.warnings) as ImportWarning[],
    payments: payments.map((p) => ({
      controlNumber: p.controlNumber,
      payerName: p.payerName,
      traceNumber: p.traceNumber,
      paymentCents: Number(p.paymentCents),
      providerAdjustmentCents: Number(p.providerAdjustmentCents),
      claimCount: count(p.id, () => true),
      postedCount: count(p.id, (c) => !isException(c) && !isDuplicate(c)),
      exceptionCount: count(p.id, isException),
      duplicateCount: count(p.id, isDuplicate),
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
      duplicateCount: r.duplicateCount,
      warningCount: (JSON.parse(r.warnings) as unknown[]).length,
      createdAt: r.createdAt,
      createdBy: r.createdBy,
    })),
    total: Number(count.n),
    page: query.page,
    pageSize: query.pageSize,
  };
}
