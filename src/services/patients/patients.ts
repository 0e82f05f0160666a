import { pageWithTotal } from '../whole-list.ts';
import { sql } from 'kysely';
import type { CreatePatientBody } from '../../contracts/patients.ts';
import { AppError } from '../../domain/errors.ts';
import { collectedStatuses } from '../../domain/payments/payment-status.ts';
import { newId, nowIso } from '../../db/ids.ts';
import type { PatientRow } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { patientBalanceFigures } from './patient-balance-figures.ts';

export function searchNameOf(firstName: string, lastName: string): string {
  return `${firstName} ${lastName}`.toLowerCase();
}

/** The payments list sorts by "last, first"; kept lower-case so sorting ignores case. */
export function paymentSortNameOf(firstName: string, lastName: string): string {
  return `${lastName}, ${firstName}`.toLowerCase();
}

export function toPatient(row: PatientRow) {
  return {
    id: row.id,
    accountId: row.accountId,
    firstName: row.firstName,
    lastName: row.lastName,
    dateOfBirth: row.dateOfBirth,
    email: row.email,
    phone: row.phone,
    createdAt: row.createdAt,
  };
}

/** Account IDs are printed on statements: short, unambiguous, unique per practice. */
function generateAccountId(): string {
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  let out = 'A';
  for (let i = 0; i < 7; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}

export async function createPatient(db: Db, actor: Actor, input: CreatePatientBody) {
  return inTransaction(db, async (trx) => {
    const accountId = input.accountId ?? generateAccountId();
    // No read-then-insert check: the unique constraint (practice, account ID) decides, and inTransaction
    // turns its violation into a 409 — two concurrent creates get one 201 and one 409, never a 500.
    const row: PatientRow = {
      id: newId(),
      practiceId: actor.practiceId,
      accountId,
      firstName: input.firstName,
      lastName: input.lastName,
      searchName: searchNameOf(input.firstName, input.lastName),
      dateOfBirth: input.dateOfBirth,
      email: input.email ?? null,
      phone: input.phone ?? null,
      createdAt: nowIso(),
    };
    await trx.insertInto('patients').values(row).execute();
    const patient = toPatient(row);
    await recordAudit(trx, actor, { action: 'patient.created', entityType: 'patient', entityId: row.id, after: patient });
    return patient;
  });
}

export async function requirePatient(db: Db, actor: Actor, patientId: string): Promise<PatientRow> {
  const row = await db
    .selectFrom('patients')
    .selectAll()
    .where('id', '=', patientId)
    .where('practiceId', '=', actor.practiceId)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', 'Patient not found.');
  return row;
}

export async function listPatients(db: Db, actor: Actor, query: { search?: string; page: number; pageSize: number }) {
  let base = db.selectFrom('patients').where('practiceId', '=', actor.practiceId);
  const words = (query.search ?? '').trim().toLowerCase().split(/\s+/).filter(Boolean);
  for (const word of words) {
    const like = `%${escapeLike(word)}%`;
    base = base.where((eb) =>
      eb.or([
        eb('searchName', 'like', sql<string>`${like} escape '\\'`),
        eb(sql`lower(account_id)`, '=', word),
      ]),
    );
  }
  const page = await pageWithTotal(
    query,
    (n) => base.selectAll().orderBy('lastName').orderBy('firstName').orderBy('id').limit(query.pageSize).offset((n - 1) * query.pageSize).execute(),
    async () => Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
  );
  return { ...page, items: page.items.map(toPatient) };
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The three figures of the balance pane, summed from treatments, payments and credit lots. */
/** The balance the API, the patient page, the portal and the statement all show (one computation). */
export async function patientBalance(db: Db, actor: Actor, patientId: string) {
  return (await patientBalanceFigures(db, actor, patientId)).balance;
}

export async function getPatient(db: Db, actor: Actor, patientId: string) {
  const row = await requirePatient(db, actor, patientId);
  const coverages = await db
    .selectFrom('coverages')
    .select(['id', 'payerName', 'payerId', 'memberId', 'coverageOrder'])
    .where('patientId', '=', patientId)
    .orderBy('coverageOrder')
    .execute();
  const figures = await patientBalanceFigures(db, actor, patientId);
  // Newest visit first on the patient page.
  const treatments = [...figures.visits].reverse();
  return {
    ...toPatient(row),
    balance: figures.balance,
    coverages: coverages.map((c) => ({
      id: c.id,
      payerName: c.payerName,
      payerId: c.payerId,
      memberId: c.memberId,
      order: c.coverageOrder as 1 | 2 | 3,
    })),
    treatments: treatments.map((t) => ({
      id: t.id,
      serviceDate: t.serviceDate,
      physician: t.physician,
      locationId: t.locationId,
      locationName: t.locationName,
      chargeCents: t.chargeCents,
      patientResponsibilityCents: t.patientResponsibilityCents,
      balanceCents: t.balanceCents,
    })),
  };
}

export async function setCoverages(
  db: Db,
  actor: Actor,
  patientId: string,
  coverages: Array<{ payerName: string; payerId: string; memberId: string; order: 1 | 2 | 3 }>,
) {
  const orders = coverages.map((c) => c.order);
  if (new Set(orders).size !== orders.length) {
    throw new AppError('validation_failed', 'Each coverage order (1 primary, 2 secondary, 3 tertiary) may appear once.');
  }
  const sorted = [...orders].sort();
  if (sorted.some((o, i) => o !== i + 1)) {
    throw new AppError('validation_failed', 'Coverages must be primary first, then secondary, then tertiary, without gaps.');
  }
  return inTransaction(db, async (trx) => {
    await requirePatient(trx, actor, patientId);
    const before = await trx.selectFrom('coverages').selectAll().where('patientId', '=', patientId).execute();
    await trx.deleteFrom('coverages').where('patientId', '=', patientId).execute();
    const rows = coverages.map((c) => ({
      id: newId(),
      practiceId: actor.practiceId,
      patientId,
      coverageOrder: c.order,
      payerName: c.payerName,
      payerId: c.payerId,
      memberId: c.memberId,
      createdAt: nowIso(),
    }));
    if (rows.length) await trx.insertInto('coverages').values(rows).execute();
    await recordAudit(trx, actor, {
      action: 'patient.coverages_set',
      entityType: 'patient',
      entityId: patientId,
      before: before.map((c) => ({ order: c.coverageOrder, payerName: c.payerName, payerId: c.payerId, memberId: c.memberId })),
      after: coverages,
    });
    return rows.map((r) => ({ id: r.id, payerName: r.payerName, payerId: r.payerId, memberId: r.memberId, order: r.coverageOrder as 1 | 2 | 3 }));
  });
}
