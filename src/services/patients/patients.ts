import { pageWithTotal } from '../whole-list.ts';
import { sql, type Kysely } from 'kysely';
import type { CreatePatientBody, UpdatePatientBody } from '../../contracts/patients.ts';
import { calendarDate } from '../../contracts/common.ts';
import { AppError } from '../../domain/errors.ts';
import { collectedStatuses } from '../../domain/payments/payment-status.ts';
import { newId, nowIso } from '../../db/ids.ts';
import type { Database, PatientRow } from '../../db/database.ts';
import { preparedQuery } from '../../db/prepared-query.ts';
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
    smsOptOut: row.smsOptOut === 1,
    emailOptOut: row.emailOptOut === 1,
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
      smsOptOut: 0,
      emailOptOut: 0,
    };
    await trx.insertInto('patients').values(row).execute();
    const patient = toPatient(row);
    await recordAudit(trx, actor, { action: 'patient.created', entityType: 'patient', entityId: row.id, after: patient });
    return patient;
  });
}

/** Changes the patient's own fields (audited, before and after); a taken account ID answers 409. */
export async function updatePatient(db: Db, actor: Actor, patientId: string, input: UpdatePatientBody) {
  return inTransaction(db, async (trx) => {
    const before = await requirePatient(trx, actor, patientId);
    const after: PatientRow = {
      ...before,
      ...(input.firstName !== undefined ? { firstName: input.firstName } : {}),
      ...(input.lastName !== undefined ? { lastName: input.lastName } : {}),
      ...(input.dateOfBirth !== undefined ? { dateOfBirth: input.dateOfBirth } : {}),
      ...(input.accountId !== undefined ? { accountId: input.accountId } : {}),
      ...(input.email !== undefined ? { email: input.email || null } : {}),
      ...(input.phone !== undefined ? { phone: input.phone || null } : {}),
      ...(input.smsOptOut !== undefined ? { smsOptOut: input.smsOptOut ? 1 : 0 } : {}),
      ...(input.emailOptOut !== undefined ? { emailOptOut: input.emailOptOut ? 1 : 0 } : {}),
    };
    after.searchName = searchNameOf(after.firstName, after.lastName);
    const { id: _id, practiceId: _practiceId, createdAt: _createdAt, ...set } = after;
    await trx.updateTable('patients').set(set).where('id', '=', patientId).execute();
    if (after.firstName !== before.firstName || after.lastName !== before.lastName) {
      // The payments list sorts and searches on a copy of the name.
      await trx
        .updateTable('payments')
        .set({ patientName: paymentSortNameOf(after.firstName, after.lastName) })
        .where('practiceId', '=', actor.practiceId)
        .where('patientId', '=', patientId)
        .execute();
    }
    await recordAudit(trx, actor, { action: 'patient.updated', entityType: 'patient', entityId: patientId, before: toPatient(before), after: toPatient(after) });
    return toPatient(after);
  });
}

/** The patient of the practice: requirePatient's read, and the start of a payment's one read (create-payment.ts). */
export function patientOfPracticeQuery(db: Kysely<Database>, v: { id: string; practiceId: string }) {
  return db.selectFrom('patients').selectAll().where('id', '=', v.id).where('practiceId', '=', v.practiceId);
}

/** The 404 of a patient missing or of another practice: requirePatient's, and a payment's own read's. */
export function patientNotFound(): AppError {
  return new AppError('not_found', 'Patient not found.');
}

// Read by most money changes: compiled once (ADR 0050).
const patientOfPractice = preparedQuery(patientOfPracticeQuery);

export async function requirePatient(db: Db, actor: Actor, patientId: string): Promise<PatientRow> {
  const [row] = (await db.executeQuery(patientOfPractice(db, { id: patientId, practiceId: actor.practiceId }))).rows;
  if (!row) throw patientNotFound();
  return row;
}

export async function listPatients(db: Db, actor: Actor, query: { search?: string; page: number; pageSize: number }) {
  let base = db.selectFrom('patients').where('practiceId', '=', actor.practiceId);
  const search = (query.search ?? '').trim();
  const birthDate = dateOfBirthSearched(search);
  // A date typed whole finds patients born that day; anything else searches names and account IDs.
  const words = birthDate ? [] : search.toLowerCase().split(/\s+/).filter(Boolean);
  if (birthDate) base = base.where('dateOfBirth', '=', birthDate);
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

/** A date of birth typed as YYYY-MM-DD or MM/DD/YYYY (M/D/YYYY too), as YYYY-MM-DD; otherwise undefined. */
export function dateOfBirthSearched(search: string): string | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(search);
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(search);
  if (!iso && !us) return undefined;
  const [y, m, d] = iso ? [iso[1]!, iso[2]!, iso[3]!] : [us![3]!, us![1]!.padStart(2, '0'), us![2]!.padStart(2, '0')];
  return calendarDate.safeParse(`${y}-${m}-${d}`).success ? `${y}-${m}-${d}` : undefined;
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
    .select(['id', 'payerName', 'payerId', 'memberId', 'planName', 'coverageOrder'])
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
      planName: c.planName,
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
  coverages: Array<{ payerName: string; payerId: string; memberId: string; order: 1 | 2 | 3; planName?: string | null | undefined }>,
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
      planName: c.planName || null,
      createdAt: nowIso(),
    }));
    if (rows.length) await trx.insertInto('coverages').values(rows).execute();
    await recordAudit(trx, actor, {
      action: 'patient.coverages_set',
      entityType: 'patient',
      entityId: patientId,
      before: before.map((c) => ({ order: c.coverageOrder, payerName: c.payerName, payerId: c.payerId, memberId: c.memberId, planName: c.planName })),
      after: coverages,
    });
    return rows.map((r) => ({ id: r.id, payerName: r.payerName, payerId: r.payerId, memberId: r.memberId, planName: r.planName, order: r.coverageOrder as 1 | 2 | 3 }));
  });
}
