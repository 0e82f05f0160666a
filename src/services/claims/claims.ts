import { randomBytes } from 'node:crypto';
import type { ClaimTable } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { enqueueEvent } from '../../db/repositories/outbox.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { isUniqueViolation } from '../../db/unique-violation.ts';
import type { Actor } from '../actor.ts';
import { requireTreatment } from '../treatments/treatments.ts';

export function toClaim(row: ClaimTable) {
  return {
    id: row.id,
    treatmentId: row.treatmentId,
    patientId: row.patientId,
    coverageOrder: row.coverageOrder,
    payerName: row.payerName,
    payerId: row.payerId,
    memberId: row.memberId,
    controlNumber: row.controlNumber,
    status: row.status as 'submitted' | 'processed' | 'denied' | 'cancelled',
    billedCents: Number(row.billedCents),
    paidCents: Number(row.paidCents),
    contractualCents: Number(row.contractualCents),
    patientResponsibilityCents: Number(row.patientResponsibilityCents),
    processedDate: row.processedDate,
    createdAt: row.createdAt,
  };
}

/** CLP01 carries at most 38 characters back; ours are short, unambiguous and unguessable across practices. */
function newControlNumber(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const bytes = randomBytes(10);
  let out = 'PL';
  for (const byte of bytes) out += alphabet[byte % 32];
  return out;
}

/**
 * Opens the claim to a coverage of the treatment's patient. Inside the
 * caller's transaction: used by "bill the next payer" and by remittance
 * posting when a payer leaves a remainder for the next coverage.
 */
export async function openClaim(trx: Trx, actor: Actor, treatmentId: string, coverageOrder: number, billedCents: number) {
  const treatment = await requireTreatment(trx, actor, treatmentId);
  const coverage = await trx
    .selectFrom('coverages')
    .selectAll()
    .where('patientId', '=', treatment.patientId)
    .where('coverageOrder', '=', coverageOrder)
    .executeTakeFirst();
  if (!coverage) throw new AppError('business_rule', `The patient has no coverage of order ${coverageOrder} to bill.`);
  const now = nowIso();
  const row: ClaimTable = {
    id: newId(),
    practiceId: actor.practiceId,
    treatmentId,
    patientId: treatment.patientId,
    coverageOrder,
    payerName: coverage.payerName,
    payerId: coverage.payerId,
    memberId: coverage.memberId,
    controlNumber: newControlNumber(),
    status: 'submitted',
    billedCents,
    paidCents: 0,
    contractualCents: 0,
    patientResponsibilityCents: 0,
    processedDate: null,
    createdAt: now,
    updatedAt: now,
  };
  await trx.insertInto('claims').values(row).execute();
  await recordAudit(trx, actor, { action: 'claim.opened', entityType: 'treatment', entityId: treatmentId, after: toClaim(row) });
  await enqueueEvent(trx, actor.practiceId, 'claim.opened', toClaim(row));
  return row;
}

/**
 * POST /treatments/:id/claims: bills the next payer of the case. The first
 * claim goes to the primary for the whole charge; later ones follow
 * remittance (posting opens them itself when a payer forwards a remainder).
 * One open claim per treatment and payer order is a unique index, so
 * concurrent requests answer one claim and 409s, never a second claim.
 */
export async function billNextPayer(db: Db, actor: Actor, treatmentId: string) {
  try {
    return await billNextPayerIn(db, actor, treatmentId);
  } catch (error) {
    // Another request opened the claim between our read and our insert: the partial unique index said no.
    if (isUniqueViolation(error)) throw new AppError('conflict', 'A claim for this treatment was opened at the same moment; it is still open.');
    throw error;
  }
}

async function billNextPayerIn(db: Db, actor: Actor, treatmentId: string) {
  return inTransaction(db, async (trx) => {
    const treatment = await requireTreatment(trx, actor, treatmentId);
    if (treatment.insuranceStatus === 'self_pay') {
      throw new AppError('business_rule', 'The patient had no coverage at the visit: the treatment is self-pay.');
    }
    const claims = await trx.selectFrom('claims').selectAll().where('treatmentId', '=', treatmentId).orderBy('coverageOrder').execute();
    const open = claims.find((c) => c.status === 'submitted');
    if (open) throw new AppError('conflict', `The claim ${open.controlNumber} to ${open.payerName} is still open.`, { claimId: open.id });
    if (treatment.insuranceStatus === 'settled') throw new AppError('business_rule', 'The payers are done with this treatment.');
    if (claims.length > 0) {
      throw new AppError('business_rule', 'The next payer is billed from the remittance of the previous one.');
    }
    return toClaim(await openClaim(trx, actor, treatmentId, 1, treatment.chargeCents));
  });
}

export async function listTreatmentClaims(db: Db, treatmentId: string) {
  const rows = await db.selectFrom('claims').selectAll().where('treatmentId', '=', treatmentId).orderBy('coverageOrder').orderBy('createdAt').execute();
  return rows.map(toClaim);
}
