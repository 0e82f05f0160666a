import { sql, type Insertable } from 'kysely';
import type { Dialect } from '../../db/connect.ts';
import type { Database } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { insertRows } from '../../db/insert-rows.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { charge, paymentReceived } from '../../domain/ledger/postings.ts';
import type { Actor } from '../actor.ts';
import { paymentSortNameOf, searchNameOf } from '../patients/patients.ts';
import { practiceDate } from '../practices/practice-settings.ts';
import { SeededRandom, daysBefore, firstNames, lastNames, payers, physicians, procedures } from './seeded-random.ts';

const CHUNK = 2_000;
const bulkTables = ['patients', 'treatments', 'treatment_lines', 'payments', 'journal_entries', 'journal_lines', 'coverages', 'claims'];
const statuses = ['paid', 'paid', 'paid', 'paid', 'pending', 'draft', 'processing', 'failed', 'cancelled', 'voided'] as const;

/**
 * SQLite spends most of a bulk load keeping a dozen secondary indexes in
 * order row by row (measured: 100,000 payments inserted in 18 s with them,
 * 3 s without, plus a few seconds to build them afterwards by sorting). When
 * the seed at least doubles the table, the plain (non-unique) indexes are
 * dropped and rebuilt inside the seed's one transaction: unique constraints
 * stay checked, and a crash leaves the file as it was, indexes included.
 */
async function withSqliteBulkLoad<T>(db: Db, rowsToAdd: number, work: (db: Db) => Promise<T>): Promise<T> {
  const cache = await sql<{ cacheSize: number }>`pragma cache_size`.execute(db);
  // A large page cache keeps the B-trees being written in memory instead of rereading them from the file.
  await sql`pragma cache_size = -262144`.execute(db);
  try {
    return await inTransaction(db, async (trx) => {
      const present = await trx.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const indexes =
        rowsToAdd >= Math.max(10_000, Number(present.n))
          ? (
              await sql<{ name: string; sql: string }>`select name, sql from sqlite_master where type = 'index' and sql like 'CREATE INDEX%' and tbl_name in (${sql.join(bulkTables)})`.execute(trx)
            ).rows
          : [];
      for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(trx);
      const result = await work(trx);
      for (const index of indexes) await sql.raw(index.sql).execute(trx);
      return result;
    });
  } finally {
    await sql`pragma cache_size = ${sql.raw(String(Number(cache.rows[0]?.cacheSize ?? -2000)))}`.execute(db);
  }
}

/**
 * Fast bulk demo data for load tests: multi-row inserts (row-at-a-time is
 * 15× slower on PostgreSQL). On PostgreSQL each chunk is its own transaction,
 * so a running server keeps working; on SQLite the whole seed is one
 * transaction (chunks are savepoints) with its indexes built at the end, see
 * withSqliteBulkLoad. Each paid payment gets its journal entry, so
 * `ledger verify` still balances.
 */
export async function seedBulk(
  db: Db,
  actor: Actor,
  options: SeedOptions,
  onProgress: (done: number, total: number) => void = () => {},
) {
  if (options.dialect === 'sqlite') return withSqliteBulkLoad(db, options.patients + options.payments, (trx) => seedRows(trx, actor, options, onProgress));
  const seeded = await seedRows(db, actor, options, onProgress);
  // PostgreSQL plans from statistics, and answers index-only scans from the visibility map, that autovacuum
  // brings up to date only some time after a bulk load; until then a list can take a plan made for the empty
  // tables, and every "index-only" scan reads the table too. The tables the seed wrote are vacuumed and
  // analyzed at once (analyzed only, inside a caller's transaction, where VACUUM cannot run).
  if (options.dialect === 'postgres') {
    const tables = [...bulkTables, 'payment_names'].join(', ');
    await sql.raw(db.isTransaction ? `analyze ${tables}` : `vacuum (analyze) ${tables}`).execute(db);
  }
  return seeded;
}

export interface SeedOptions {
  patients: number;
  payments: number;
  /**
   * Of the patients added, this many (the first) are insured: a primary coverage, and their visit billed on
   * one submitted claim whose control number is PL and seven digits, PL0000001 up — the CLP01 numbering of
   * the generated 835 (src/x12/generate-835.ts), so a generated file posts to them (the benchmark's import
   * and refund-review rows). Default 0: every bulk patient is self-pay.
   */
  claims?: number;
  seed?: number;
  dialect?: Dialect;
}

async function seedRows(db: Db, actor: Actor, options: SeedOptions, onProgress: (done: number, total: number) => void) {
  const insured = Math.min(options.claims ?? 0, options.patients);
  if (insured > 0) {
    const taken = await db.selectFrom('claims').select('id').where('practiceId', '=', actor.practiceId).where('controlNumber', '=', claimNumber(0)).executeTakeFirst();
    if (taken) throw new Error(`This practice already has claim ${claimNumber(0)}: seed claims into a practice without them.`);
  }
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
    const coverageRows: Insertable<Database['coverages']>[] = [];
    const claimRows: Insertable<Database['claims']>[] = [];
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
      // Bulk patients are self-pay — each visit's charge is theirs to pay — unless insured (options.claims): then
      // the visit is billed to the primary payer. Either way charged in the journal by the one posting rule.
      const locationId = random.pick(locations).id;
      const treatmentId = newId();
      const procedure = random.pick(procedures);
      const selfPay = start + i >= insured;
      if (!selfPay) {
        const payer = random.pick(payers);
        const memberId = `M${runId}${String(start + i).padStart(7, '0')}`;
        coverageRows.push({ id: newId(), practiceId: actor.practiceId, patientId: id, coverageOrder: 1, payerName: payer.payerName, payerId: payer.payerId, memberId, planName: null, createdAt: nowIso() });
        claimRows.push({
          id: newId(),
          practiceId: actor.practiceId,
          treatmentId,
          patientId: id,
          coverageOrder: 1,
          payerName: payer.payerName,
          payerId: payer.payerId,
          memberId,
          controlNumber: claimNumber(start + i),
          status: 'submitted',
          billedCents: procedure.chargeCents,
          paidCents: 0,
          contractualCents: 0,
          patientResponsibilityCents: 0,
          processedDate: null,
          createdAt: nowIso(),
          updatedAt: nowIso(),
        });
      }
      treatmentRows.push({
        id: treatmentId,
        practiceId: actor.practiceId,
        patientId: id,
        locationId,
        serviceDate: daysBefore(today, random.int(1, 360)),
        serviceTime: null,
        physician: random.pick(physicians),
        chargeCents: procedure.chargeCents,
        patientResponsibilityCents: selfPay ? procedure.chargeCents : 0,
        insuranceStatus: selfPay ? 'self_pay' : 'awaiting',
        createdAt: nowIso(),
      });
      const posting = charge({ treatmentId, patientId: id, chargeCents: procedure.chargeCents, selfPay });
      const entryId = newId();
      chargeEntries.push({ id: entryId, practiceId: actor.practiceId, kind: posting.kind, paymentId: null, memo: 'bulk seed', createdAt: nowIso(), createdBy: actor.id, sourceType: posting.source.type, sourceId: posting.source.id });
      for (const line of posting.lines) {
        chargeLines.push({ id: newId(), entryId, practiceId: actor.practiceId, account: line.account, patientId: line.patientId ?? null, paymentId: null, treatmentId: line.treatmentId ?? null, amountCents: line.amountCents });
      }
      lineRows.push({ id: newId(), practiceId: actor.practiceId, treatmentId, lineNumber: 1, cpt: procedure.cpt, chargeCents: procedure.chargeCents, units: 1 });
      patients.push({ id, sortName: paymentSortNameOf(firstName, lastName), treatmentIds: [treatmentId], locationId });
    }
    await inTransaction(db, async (trx) => {
      await insertRows(trx, 'patients', patientRows);
      await insertRows(trx, 'treatments', treatmentRows);
      await insertRows(trx, 'treatmentLines', lineRows);
      await insertRows(trx, 'journalEntries', chargeEntries);
      await insertRows(trx, 'journalLines', chargeLines);
      await insertRows(trx, 'coverages', coverageRows);
      await insertRows(trx, 'claims', claimRows);
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
      await insertRows(trx, 'payments', paymentRows);
      await insertRows(trx, 'journalEntries', entryRows);
      await insertRows(trx, 'journalLines', lineRows);
    });
    onProgress(options.patients + start + count, total);
  }
  return { patients: options.patients, payments: options.payments };
}

/** The n-th seeded claim's control number (n from 0): PL0000001 up, as the generated 835 numbers its claims. */
function claimNumber(n: number): string {
  return `PL${String(n + 1).padStart(7, '0')}`;
}
