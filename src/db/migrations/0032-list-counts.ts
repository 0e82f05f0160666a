import { SqliteAdapter, sql, type Kysely, type RawBuilder } from 'kysely';

/**
 * Counts that spare the payments list from counting payments (ADR 0040), kept by triggers on payments in
 * the transaction that changes the payment — every write path, seeding and hand-made SQL included — and
 * recounted by `ledger verify`:
 *
 * - payment_names.payments: how many payments carry each dictionary name (the dictionary of migration 0027,
 *   whose triggers now also count, and also run on delete). A name search's total is the sum over its
 *   matching names (a few dozen rows) instead of a count of every matching payment (~50,000 index entries
 *   for "smi" at 1,000,000 payments). Names are still never removed: a count may fall to 0.
 * - payment_days: payments per practice and UTC day of created_at. A deep page of the default list
 *   (OFFSET 49,975 for page 2000) sums days from the newest (or oldest) to find the day its first row falls
 *   in, then skips only within that day, instead of stepping over every newer payment's index entry.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('payment_names').addColumn('payments', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('payment_days')
    .addColumn('practice_id', 'text', (c) => c.notNull())
    /** 'YYYY-MM-DD' of created_at (UTC, as stored). */
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('payments', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('payment_days_pk', ['practice_id', 'day'])
    .execute();
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sqliteTriggers(db);
  } else {
    await postgresTriggers(db);
    // A name search's page by name (list-payments.ts, pageIdsByName): each matching name's newest payments
    // as one index range, index-only. PostgreSQL only: SQLite has no LATERAL, and its walk of the date index
    // costs about what the merged ranges would (ADR 0040).
    await db.schema.createIndex('payments_list_name_created').on('payments').columns(['practice_id', 'patient_name', 'created_at', 'number', 'id']).execute();
  }
  await fillListCounts(db);
}

/**
 * Recounts the name dictionary's counts and the day counts from every payment there (this migration, and
 * putting a drifted count right): the counts start again from nothing and addListCounts adds every payment.
 * Run it with no other writer, or in the writer's transaction, so no payment's count is lost in between.
 */
export async function fillListCounts(db: Kysely<any>): Promise<void> {
  await sql`update payment_names set payments = 0 where payments <> 0`.execute(db);
  await sql`delete from payment_days`.execute(db);
  await addListCounts(db);
}

/**
 * Adds the payments that match `where` (a condition on payments) to the dictionary, its counts and the day
 * counts, set-wise: what the insert triggers would have added row by row. The bulk seed (ADR 0038), which
 * inserts its payments with these triggers out of the way, adds them with it afterwards.
 */
export async function addListCounts(db: Kysely<any>, where: RawBuilder<unknown> = sql`true`): Promise<void> {
  // SQLite reads "INSERT … SELECT … ON CONFLICT" ambiguously unless the SELECT has a WHERE: it always has one here.
  await sql`insert into payment_names (practice_id, patient_name, payments)
    select practice_id, patient_name, count(*) from payments where ${where} group by practice_id, patient_name
    on conflict (practice_id, patient_name) do update set payments = payment_names.payments + excluded.payments`.execute(db);
  await sql`insert into payment_days (practice_id, day, payments)
    select practice_id, substr(created_at, 1, 10), count(*) from payments where ${where} group by practice_id, substr(created_at, 1, 10)
    on conflict (practice_id, day) do update set payments = payment_days.payments + excluded.payments`.execute(db);
}

const nameUp = `insert into payment_names (practice_id, patient_name, payments) values (new.practice_id, new.patient_name, 1)
  on conflict (practice_id, patient_name) do update set payments = payment_names.payments + 1`;
const nameDown = `update payment_names set payments = payments - 1 where practice_id = old.practice_id and patient_name = old.patient_name`;
const dayUp = `insert into payment_days (practice_id, day, payments) values (new.practice_id, substr(new.created_at, 1, 10), 1)
  on conflict (practice_id, day) do update set payments = payment_days.payments + 1`;
const dayDown = `update payment_days set payments = payments - 1 where practice_id = old.practice_id and day = substr(old.created_at, 1, 10)`;

async function sqliteTriggers(db: Kysely<any>): Promise<void> {
  await sql.raw('drop trigger payment_names_insert').execute(db);
  await sql.raw('drop trigger payment_names_update').execute(db);
  await sql.raw(`create trigger payment_names_insert after insert on payments begin ${nameUp}; ${dayUp}; end`).execute(db);
  await sql.raw(`create trigger payment_names_update after update of practice_id, patient_name on payments begin ${nameDown}; ${nameUp}; end`).execute(db);
  await sql.raw(`create trigger payment_days_update after update of practice_id, created_at on payments begin ${dayDown}; ${dayUp}; end`).execute(db);
  await sql.raw(`create trigger payment_names_delete after delete on payments begin ${nameDown}; ${dayDown}; end`).execute(db);
}

async function postgresTriggers(db: Kysely<any>): Promise<void> {
  await sql.raw('drop trigger payment_names_track on payments').execute(db);
  await sql
    .raw(`create or replace function payment_names_track() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and (old.practice_id, old.patient_name, old.created_at) is not distinct from (new.practice_id, new.patient_name, new.created_at) then
        return null;
      end if;
      if tg_op in ('UPDATE', 'DELETE') then ${nameDown}; ${dayDown}; end if;
      if tg_op in ('UPDATE', 'INSERT') then ${nameUp}; ${dayUp}; end if;
      return null;
    end $$`)
    .execute(db);
  await sql
    .raw('create trigger payment_names_track after insert or update of practice_id, patient_name, created_at or delete on payments for each row execute function payment_names_track()')
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const dictionaryOnly = `insert into payment_names (practice_id, patient_name) values (new.practice_id, new.patient_name) on conflict do nothing`;
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    for (const t of ['payment_names_insert', 'payment_names_update', 'payment_days_update', 'payment_names_delete']) await sql.raw(`drop trigger ${t}`).execute(db);
    await sql.raw(`create trigger payment_names_insert after insert on payments begin ${dictionaryOnly}; end`).execute(db);
    await sql.raw(`create trigger payment_names_update after update of practice_id, patient_name on payments begin ${dictionaryOnly}; end`).execute(db);
  } else {
    await sql.raw('drop trigger payment_names_track on payments').execute(db);
    await sql.raw(`create or replace function payment_names_track() returns trigger language plpgsql as $$ begin ${dictionaryOnly}; return null; end $$`).execute(db);
    await sql.raw('create trigger payment_names_track after insert or update of practice_id, patient_name on payments for each row execute function payment_names_track()').execute(db);
  }
  await db.schema.dropIndex('payments_list_name_created').ifExists().execute();
  await db.schema.dropTable('payment_days').execute();
  await db.schema.alterTable('payment_names').dropColumn('payments').execute();
}
