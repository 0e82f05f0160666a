import { pageWithTotal } from '../whole-list.ts';
import type { Denial, ListDenialsQuery } from '../../contracts/remittance-work.ts';
import type { Db } from '../../db/transaction.ts';
import { describeCarc, describeRarc } from '../../domain/remittance/adjustment-codes.ts';

interface StoredDetail {
  adjustments?: Array<{ group: string; reason: string; amountCents: number }>;
  remarkCodes?: string[];
}

/**
 * `GET /denials` (SPEC section 6): claims the payer denied (CLP02 4) and
 * claims processed with nothing paid and CO or PR reasons, as they stand
 * (a posting later reversed is no longer listed), newest first, with their
 * CARC and RARC codes described as in effect on the payment date.
 */
export async function listDenials(db: Db, actor: { practiceId: string }, query: ListDenialsQuery) {
  let q = db
    .selectFrom('remittanceClaims as rc')
    .innerJoin('remittances as r', 'r.id', 'rc.remittanceId')
    .innerJoin('remittancePayments as rp', 'rp.id', 'rc.remittancePaymentId')
    .leftJoin('claims as c', 'c.id', 'rc.postingClaimId')
    .leftJoin('treatments as t', 't.id', 'c.treatmentId')
    .leftJoin('patients as p', 'p.id', 'c.patientId')
    .where('rc.practiceId', '=', actor.practiceId)
    // The live posting of a claim (a reversal clears it), denied, or processed at $0 with CO/PR reasons.
    .where('rc.postingClaimId', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('rc.statusCode', '=', '4'),
        eb.and([
          eb('rc.paidCents', '=', 0),
          eb.or([eb('rc.detail', 'like', '%"group":"CO"%'), eb('rc.detail', 'like', '%"group":"PR"%')]),
        ]),
      ]),
    );
  if (query.search) {
    const like = `%${query.search.replaceAll('%', '').replaceAll('_', '')}%`;
    q = q.where((eb) => eb.or([eb('rc.patientControlNumber', 'like', like), eb('p.lastName', 'like', like), eb('p.firstName', 'like', like), eb('rp.payerName', 'like', like)]));
  }
  const page = await pageWithTotal(
    query,
    (n) =>
      q
        .select([
          'rc.id',
          'rc.claimId',
          'rc.patientControlNumber',
          'rc.statusCode',
          'rc.chargeCents',
          'rc.paidCents',
          'rc.detail',
          'rc.remittanceId',
          'r.fileName',
          'r.createdAt as importedAt',
          'rp.payerName',
          'rp.paymentDate',
          'c.treatmentId',
          'c.patientId',
          't.serviceDate',
          'p.firstName',
          'p.lastName',
        ])
        .orderBy('rc.createdAt', 'desc')
        .orderBy('rc.id', 'desc')
        .limit(query.pageSize)
        .offset((n - 1) * query.pageSize)
        .execute(),
    async () => Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
  );
  const rows = page.items;
  const items: Denial[] = rows.map((row) => {
    const detail = JSON.parse(row.detail) as StoredDetail;
    const onDate = row.paymentDate ?? row.importedAt.slice(0, 10);
    return {
      id: row.id,
      claimId: row.claimId,
      treatmentId: row.treatmentId ?? null,
      patientId: row.patientId ?? null,
      patientName: row.firstName || row.lastName ? `${row.firstName ?? ''} ${row.lastName ?? ''}`.trim() : null,
      serviceDate: row.serviceDate ?? null,
      controlNumber: row.patientControlNumber,
      payerName: row.payerName,
      statusCode: row.statusCode,
      chargeCents: Number(row.chargeCents),
      paidCents: Number(row.paidCents),
      paymentDate: row.paymentDate,
      remittanceId: row.remittanceId,
      fileName: row.fileName,
      importedAt: row.importedAt,
      adjustments: (detail.adjustments ?? []).map((a) => ({ group: a.group, amountCents: a.amountCents, ...pick(describeCarc(a.reason, onDate)) })),
      remarks: (detail.remarkCodes ?? []).map((code) => pick(describeRarc(code, onDate))),
    };
  });
  return { ...page, items };
}

function pick(d: { code: string; description: string }) {
  return { code: d.code, description: d.description };
}
