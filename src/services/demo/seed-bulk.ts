import type { Insertable } from 'kysely';
import type { Database } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { charge, paymentReceived } from '../../domain/ledger/postings.ts';
import type { Actor } from '../actor.ts';
import { paymentSortNameOf, searchNameOf } from '../patients/patients.ts';
import { practiceDate } from '../practices/practice-settings.ts';
import { SeededRandom, daysBefore, firstNames, lastNames, physicians, procedures } from './seeded-random.ts';

const CHUNK = 2_000;
const statuses = ['paid', 'paid', 'paid', 'paid', 'pending', 'draft', 'processing', 'failed', 'cancelled', 'voided'] as const;

async function insertInBatches<T extends keyof Database>(db: Db, table: T, rows: Insertable<Database[T]>[], size = 400) {
  for (let i = 0; i < rows.length; i += size) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + size) as never)
      .execute();
  }
}

/**
 * Fast bulk demo data for load tests: multi-row inserts in chunked
 * transactions (row-at-a-time is 15× slower on PostgreSQL). Each paid
 * payment gets its journal entry, so `ledger verify` still balances.
 */
export async function seedBulk(
  db: Db,
  actor: Actor,
  options: { patients: number; payments: number; seed?: number },
  onProgress: (done: number, total: number) => void = () => {},
) {
  const random = new SeededRandom(options.seed ?? 7);
  const today = await practiceDate(db, actor.practiceId);
  let locations = await db.selectFrom('locations').select('id').where('practiceId', '=', actor.practiceId).execute();
  if (locations.length === 0) {
    const rows = ['Main Clinic', 'East Office'].map((name) => ({ id: newId(), practiceId: actor.practiceId, name, createdAt: nowIso() }));
    await db.insertInto('locations').values(rows).execute();
    locations = rows.map((r) => ({ id: r.id }));
  }

  const patients: Array<{ id: string; sortName: string; treatmentIds: string[]; locationId: string }> = [];
  const total = options.patients + options.payments;
  const runId = newId().slice(-6).toUpperCase();
  for (let start = 0; start < options.patients; start += CHUNK) {
    const count = Math.min(CHUNK, options.patients - start);
    const patientRows: Insertable<Database['patients']>[] = [];
    const treatmentRows: Insertable<Database['treatments']>[] = [];
    const lineRows: Insertable<Database['treatmentLines']>[] = [];
    const chargeEntries: Insertable<Database['journalEntries']>[] = [];
    const chargeLines: Insertable<Database['journalLines']>[] = [];
    for (let i = 0; i < count; i++) {
      const firstName = random.pick(firstNames);
      const lastName = random.pick(lastNames);
      const id = newId();
      patientRows.push({
        id,
        practiceId: actor.practiceId,
        accountId: `S${runId}${String(start + i).padStart(7, '0')}`,
        firstName,
        lastName,
        searchName: searchNameOf(firstName, lastName),
        dateOfBirth: daysBefore(today, random.int(700, 30000)),
        email: null,
        phone: null,
        createdAt: nowIso(),
      });
      // Bulk patients are self-pay: each visit's charge is theirs to pay, charged in the journal by the one posting rule.
      const locationId = random.pick(locations).id;
      const treatmentId = newId();
      const procedure = random.pick(procedures);
      treatmentRows.push({
        id: treatmentId,
        practiceId: actor.practiceId,
        patientId: id,
        locationId,
        serviceDate: daysBefore(today, random.int(1, 360)),
        serviceTime: null,
        physician: random.pick(physicians),
        chargeCents: procedure.chargeCents,
        patientResponsibilityCents: procedure.chargeCents,
        insuranceStatus: 'self_pay',
        createdAt: nowIso(),
      });
      const posting = charge({ treatmentId, patientId: id, chargeCents: procedure.chargeCents, selfPay: true });
      const entryId = newId();
      chargeEntries.push({ id: entryId, practiceId: actor.practiceId, kind: posting.kind, paymentId: null, memo: 'bulk seed', createdAt: nowIso(), createdBy: actor.id, sourceType: posting.source.type, sourceId: posting.source.id });
      for (const line of posting.lines) {
        chargeLines.push({ id: newId(), entryId, practiceId: actor.practiceId, account: line.account, patientId: line.patientId ?? null, paymentId: null, treatmentId: line.treatmentId ?? null, amountCents: line.amountCents });
      }
      lineRows.push({ id: newId(), practiceId: actor.practiceId, treatmentId, lineNumber: 1, cpt: procedure.cpt, chargeCents: procedure.chargeCents, units: 1 });
      patients.push({ id, sortName: paymentSortNameOf(firstName, lastName), treatmentIds: [treatmentId], locationId });
    }
    await inTransaction(db, async (trx) => {
      await insertInBatches(trx, 'patients', patientRows);
      await insertInBatches(trx, 'treatments', treatmentRows);
      await insertInBatches(trx, 'treatmentLines', lineRows);
      await insertInBatches(trx, 'journalEntries', chargeEntries);
      await insertInBatches(trx, 'journalLines', chargeLines);
    });
    onProgress(start + count, total);
  }
  if (patients.length === 0 && options.payments > 0) {
    const existing = await db
      .selectFrom('patients')
      .select(['id', 'firstName', 'lastName'])
      .where('practiceId', '=', actor.practiceId)
      .limit(10_000)
      .execute();
    for (const p of existing) patients.push({ id: p.id, sortName: paymentSortNameOf(p.firstName, p.lastName), treatmentIds: [], locationId: random.pick(locations).id });
    if (patients.length === 0) throw new Error('No patients to attach payments to: seed some patients too.');
  }

  for (let start = 0; start < options.payments; start += CHUNK) {
    const count = Math.min(CHUNK, options.payments - start);
    await inTransaction(db, async (trx) => {
      const reserved = await trx
        .updateTable('practices')
        .set((eb) => ({ paymentSeq: eb('paymentSeq', '+', count) }))
        .where('id', '=', actor.practiceId)
        .returning('paymentSeq')
        .executeTakeFirstOrThrow();
      const firstNumber = Number(reserved.paymentSeq) - count + 1;
      const paymentRows: Insertable<Database['payments']>[] = [];
      const entryRows: Insertable<Database['journalEntries']>[] = [];
      const lineRows: Insertable<Database['journalLines']>[] = [];
      for (let i = 0; i < count; i++) {
        const patient = random.pick(patients);
        const status = random.pick(statuses);
        const day = daysBefore(today, random.int(0, 364));
        const createdAt = `${day}T${String(random.int(10, 23)).padStart(2, '0')}:${String(random.int(10, 59))}:00.000Z`;
        const amountCents = random.int(5, 400) * 500 + random.int(0, 99);
        const id = newId();
        paymentRows.push({
          id,
          practiceId: actor.practiceId,
          number: firstNumber + i,
          patientId: patient.id,
          patientName: patient.sortName,
          locationId: patient.locationId,
          treatmentId: patient.treatmentIds[0] ?? null,
          amountCents,
          refundedCents: 0,
          appliedCents: 0,
          status,
          type: random.pick(['office_visit', 'treatment_prepayment', 'private_pay']),
          method: random.pick(['cash', 'check', 'card', 'online']),
          checkNumber: null,
          dueDate: random.chance(0.5) ? daysBefore(day, -30) : null,
          paidDate: status === 'paid' ? day : null,
          memo: null,
          linkToken: null,
          linkExpiresAt: null,
          createdAt,
          createdBy: actor.name,
          updatedAt: createdAt,
        });
        if (status === 'paid') {
          // Bulk rows, but the same posting rule as every other payment received.
          const posting = paymentReceived({ paymentId: id, patientId: patient.id, treatmentId: patient.treatmentIds[0] ?? null, amountCents });
          const entryId = newId();
          entryRows.push({ id: entryId, practiceId: actor.practiceId, kind: posting.kind, paymentId: id, memo: 'bulk seed', createdAt, createdBy: actor.id, sourceType: posting.source.type, sourceId: posting.source.id });
          for (const line of posting.lines) {
            lineRows.push({ id: newId(), entryId, practiceId: actor.practiceId, account: line.account, patientId: line.patientId ?? null, paymentId: line.paymentId ?? null, treatmentId: line.treatmentId ?? null, amountCents: line.amountCents });
          }
        }
      }
      await insertInBatches(trx, 'payments', paymentRows);
      await insertInBatches(trx, 'journalEntries', entryRows);
      await insertInBatches(trx, 'journalLines', lineRows);
    });
    onProgress(options.patients + start + count, total);
  }
  return { patients: options.patients, payments: options.payments };
}
