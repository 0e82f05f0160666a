import type { EligibilityCheckRow } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { describeRejectionReason } from '../../domain/eligibility/rejection-reasons.ts';
import { AppError } from '../../domain/errors.ts';
import type { ProcedureBenefit } from '../../domain/estimates/compute-estimate.ts';
import { read271Text, summarizeEligibility, type Member271 } from '../../x12/index.ts';
import type { Actor } from '../actor.ts';
import { requirePatient } from '../patients/patients.ts';
import { toEligibilityCheck } from './eligibility-check-view.ts';

/** A 271 is a few kilobytes; anything this large is not one. */
const MAX_271_BYTES = 1024 * 1024;

/**
 * Stores a payer's X12 271 eligibility response as the patient's check. The
 * figures are those `summarizeEligibility` picks for the service type (98,
 * professional office visit, by default: the office-visit copay, with the
 * plan-wide deductible and out-of-pocket). An AAA that rejects the request or
 * the member makes a check with status `rejected` and its reasons: stored and
 * shown, never used for an estimate.
 */
export async function importEligibility271(
  db: Db,
  actor: Actor,
  input: { patientId: string; data: string | Buffer; serviceType: string },
) {
  if (input.data.length > MAX_271_BYTES) throw new AppError('validation_failed', 'A 271 file is at most 1 MB.');
  const text = typeof input.data === 'string' ? input.data : input.data.toString('utf8');
  const read = read271Text(text);
  const eligibility = read.transactions[0];
  if (!eligibility) {
    const why = read.errors.map((e) => e.message).join('; ');
    throw new AppError('validation_failed', `No readable 271 eligibility response in the file${why ? `: ${why}` : ''}.`);
  }
  const summary = summarizeEligibility(eligibility, { serviceType: input.serviceType });
  const member = eligibility.members.find((m) => m.level === summary.memberLevel) ?? null;
  const subscriber = eligibility.members.find((m) => m.level === 'subscriber') ?? null;

  const warnings = [...read.warnings, ...eligibility.warnings].map((w) => w.message);
  if (read.transactions.length > 1) warnings.push(`The file holds ${read.transactions.length} responses; the first (ST02 ${eligibility.controlNumber}) was used.`);
  for (const error of read.errors) warnings.push(`A response could not be read: ${error.message}`);

  const rejections = eligibility.rejections.map((r) => ({
    code: r.reasonCode,
    description: describeRejectionReason(r.reasonCode),
    followUpAction: r.followUpAction,
    level: r.level,
  }));
  // A rejection of a single benefit still leaves a usable answer; one of the request or the member does not.
  const rejected = !summary.active && eligibility.rejections.some((r) => r.level !== 'benefit');
  const status = rejected ? 'rejected' : summary.active ? 'active' : 'inactive';

  return inTransaction(db, async (trx) => {
    const patient = await requirePatient(trx, actor, input.patientId);
    if (member?.birthDate && member.birthDate !== patient.dateOfBirth) {
      warnings.push(`The 271's member was born ${member.birthDate}; the patient's date of birth is ${patient.dateOfBirth}. Check that this response is about this patient.`);
    }
    const row: EligibilityCheckRow = {
      id: newId(),
      practiceId: actor.practiceId,
      // Every EB is kept as read, so what the summary does not use is still there to see.
      benefits: JSON.stringify(
        eligibility.members.flatMap((m) =>
          m.benefits.map((b) => ({
            memberLevel: m.level,
            segmentNumber: b.segmentNumber,
            code: b.code,
            coverageLevel: b.coverageLevel,
            serviceTypes: b.serviceTypes,
            insuranceType: b.insuranceType,
            planDescription: b.planDescription,
            timePeriod: b.timePeriod,
            amountCents: b.amountCents,
            percentBasisPoints: b.percentBasisPoints,
            quantityQualifier: b.quantityQualifier,
            quantity: b.quantity,
            authorizationRequired: b.authorizationRequired,
            inNetwork: b.inNetwork,
            procedure: b.procedure,
            messages: b.messages,
          })),
        ),
      ),
      patientId: patient.id,
      source: 'x12_271',
      status,
      payerName: eligibility.source?.lastName ?? null,
      payerId: eligibility.source?.id ?? null,
      memberId: subscriber?.name?.id ?? member?.name?.id ?? null,
      serviceType: summary.serviceType,
      copayCents: summary.copayCents ?? null,
      coinsuranceBasisPoints: summary.coinsuranceBasisPoints ?? null,
      deductibleRemainingCents: summary.deductibleRemainingCents ?? null,
      deductibleTotalCents: summary.deductibleTotalCents ?? null,
      oopRemainingCents: summary.oopRemainingCents ?? null,
      oopTotalCents: summary.oopTotalCents ?? null,
      procedures: JSON.stringify(rejected || !member ? [] : procedureBenefits(member)),
      rejections: JSON.stringify(rejections),
      warnings: JSON.stringify(warnings),
      raw: text,
      createdAt: nowIso(),
      createdBy: actor.name,
    };
    await trx.insertInto('eligibilityChecks').values(row).execute();
    const check = toEligibilityCheck(row);
    const { procedures: _procedures, ...audited } = check;
    await recordAudit(trx, actor, {
      action: 'eligibility_check.imported',
      entityType: 'eligibility_check',
      entityId: row.id,
      after: { ...audited, controlNumber: eligibility.controlNumber, referenceId: eligibility.referenceId },
    });
    return check;
  });
}

/**
 * Benefits the 271 states for one procedure (EB13, e.g. HC:99213), in
 * network: a copay (EB*B) or a coinsurance (EB*A) of its own. The first such
 * EB per CPT counts; out-of-network ones never do.
 */
function procedureBenefits(member: Member271): ProcedureBenefit[] {
  const byCpt = new Map<string, ProcedureBenefit>();
  for (const benefit of member.benefits) {
    if (!benefit.procedure || benefit.inNetwork === 'N') continue;
    if (!/^[A-Z0-9]{5}$/.test(benefit.procedure.code)) continue;
    const entry = byCpt.get(benefit.procedure.code) ?? { cpt: benefit.procedure.code };
    if (benefit.code === 'B' && benefit.amountCents !== null && entry.copayCents === undefined) entry.copayCents = benefit.amountCents;
    if (benefit.code === 'A' && benefit.percentBasisPoints !== null && entry.coinsuranceBasisPoints === undefined) {
      entry.coinsuranceBasisPoints = benefit.percentBasisPoints;
    }
    if (entry.copayCents !== undefined || entry.coinsuranceBasisPoints !== undefined) byCpt.set(entry.cpt, entry);
  }
  return [...byCpt.values()];
}
