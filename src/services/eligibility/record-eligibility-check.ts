import type { CreateEligibilityCheckBody } from '../../contracts/eligibility.ts';
import type { EligibilityCheckRow } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { coinsuranceBasisPoints } from '../../domain/estimates/coinsurance-basis-points.ts';
import type { Actor } from '../actor.ts';
import { requirePatient } from '../patients/patients.ts';
import { toEligibilityCheck } from './eligibility-check-view.ts';

/**
 * Stores an eligibility check staff entered by hand (read off a payer portal
 * or a phone call). The payer defaults to the patient's primary coverage.
 */
export async function recordEligibilityCheck(db: Db, actor: Actor, input: CreateEligibilityCheckBody) {
  const procedures = (input.procedures ?? []).map((p) => ({
    cpt: p.cpt,
    ...(p.copayApplies === undefined ? {} : { copayApplies: p.copayApplies }),
    ...(p.copayCents === undefined ? {} : { copayCents: p.copayCents }),
    ...(p.deductibleApplies === undefined ? {} : { deductibleApplies: p.deductibleApplies }),
    ...(p.coinsurancePercent === undefined ? {} : { coinsuranceBasisPoints: coinsuranceBasisPoints(p.coinsurancePercent) }),
  }));
  if (new Set(procedures.map((p) => p.cpt)).size !== procedures.length) {
    throw new AppError('validation_failed', 'procedures: each CPT may appear once.');
  }
  return inTransaction(db, async (trx) => {
    await requirePatient(trx, actor, input.patientId);
    const primary = await trx
      .selectFrom('coverages')
      .select(['payerName', 'payerId', 'memberId'])
      .where('practiceId', '=', actor.practiceId)
      .where('patientId', '=', input.patientId)
      .where('coverageOrder', '=', 1)
      .executeTakeFirst();
    const row: EligibilityCheckRow = {
      id: newId(),
      practiceId: actor.practiceId,
      benefits: null,
      patientId: input.patientId,
      source: 'manual',
      status: 'active',
      payerName: input.payerName ?? primary?.payerName ?? null,
      payerId: input.payerId ?? primary?.payerId ?? null,
      memberId: input.memberId ?? primary?.memberId ?? null,
      serviceType: null,
      copayCents: input.copayCents ?? null,
      coinsuranceBasisPoints: coinsuranceBasisPoints(input.coinsurancePercent),
      deductibleRemainingCents: input.deductibleRemainingCents,
      deductibleTotalCents: input.deductibleTotalCents ?? null,
      oopRemainingCents: input.oopRemainingCents,
      oopTotalCents: input.oopTotalCents ?? null,
      procedures: JSON.stringify(procedures),
      rejections: '[]',
      warnings: '[]',
      raw: null,
      createdAt: nowIso(),
      createdBy: actor.name,
    };
    await trx.insertInto('eligibilityChecks').values(row).execute();
    const check = toEligibilityCheck(row);
    await recordAudit(trx, actor, { action: 'eligibility_check.recorded', entityType: 'eligibility_check', entityId: row.id, after: check });
    return check;
  });
}
