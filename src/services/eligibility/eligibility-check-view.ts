import type { EligibilityCheck } from '../../contracts/eligibility.ts';
import type { EligibilityCheckRow } from '../../db/database.ts';
import type { Db } from '../../db/transaction.ts';
import { toCents } from '../../domain/money.ts';
import type { Actor } from '../actor.ts';

const centsOrNull = (value: unknown) => (value === null || value === undefined ? null : toCents(value));

/** The one mapper from an eligibility check row to what the API shows. */
export function toEligibilityCheck(row: EligibilityCheckRow): EligibilityCheck {
  const basisPoints = row.coinsuranceBasisPoints === null ? null : Number(row.coinsuranceBasisPoints);
  return {
    id: row.id,
    patientId: row.patientId,
    source: row.source as EligibilityCheck['source'],
    status: row.status as EligibilityCheck['status'],
    payerName: row.payerName,
    payerId: row.payerId,
    memberId: row.memberId,
    serviceType: row.serviceType,
    copayCents: centsOrNull(row.copayCents),
    // Basis points are whole hundredths of a percent, so this division is exact in decimal terms.
    coinsurancePercent: basisPoints === null ? null : basisPoints / 100,
    coinsuranceBasisPoints: basisPoints,
    deductibleRemainingCents: centsOrNull(row.deductibleRemainingCents),
    deductibleTotalCents: centsOrNull(row.deductibleTotalCents),
    oopRemainingCents: centsOrNull(row.oopRemainingCents),
    oopTotalCents: centsOrNull(row.oopTotalCents),
    procedures: JSON.parse(row.procedures) as EligibilityCheck['procedures'],
    rejections: JSON.parse(row.rejections) as EligibilityCheck['rejections'],
    benefits: row.benefits === null ? [] : (JSON.parse(row.benefits) as EligibilityCheck['benefits']),
    warnings: JSON.parse(row.warnings) as string[],
    createdAt: row.createdAt,
    createdBy: row.createdBy,
  };
}

/** The patient's most recent check that the payer did not reject: what the estimate uses. */
export async function latestUsableEligibilityCheck(db: Db, actor: Actor, patientId: string): Promise<EligibilityCheckRow | undefined> {
  return db
    .selectFrom('eligibilityChecks')
    .selectAll()
    .where('practiceId', '=', actor.practiceId)
    .where('patientId', '=', patientId)
    .where('status', '!=', 'rejected')
    .orderBy('createdAt', 'desc')
    // Ids are UUIDv7: among checks of the same millisecond, the later one sorts last.
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}
