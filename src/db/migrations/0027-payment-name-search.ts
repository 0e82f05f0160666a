import { SqliteAdapter, sql, type Kysely, type RawBuilder } from 'kysely';

/**
 * Index-backed name search and a due-date keyset (ADR 0030).
 *
 * payment_names holds each practice's distinct payments.patient_name values
 * (the lower-cased "last, first" the list searches), kept by triggers on
 * payments — every write path, seeding and hand-made SQL included. A search
 * word is matched against this dictionary through a trigram index (SQLite:
 * an FTS5 table with the trigram tokenizer, external content; PostgreSQL:
 * pg_trgm's GIN operator class), and the payments of the matching names are
 * then read from the (practice_id, patient_name, number, id) index of 0023.
 * Names are only ever added: a name no payment carries any more (a patient
 * renamed) matches nothing, and no concurrent write can remove a name a
 * payment still needs.
 *
 * payments_list_due orders by due date with payments without one after every
 * dated one (coalesce to '9999-12-31'), so the sort has a total order that is
 * the same on both databases and a keyset cursor can range over it.
 */
export const noDueDate = '9999-12-31';

export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  if (sqlite) await sqliteUp(db);
  else await postgresUp(db);
  await fillPaymentNames(db);
  await sql
    .raw(`create index payments_list_due on payments (practice_id, (coalesce(due_date, '${noDueDate}')), number, id)`)
    .execute(db);
}

/**
 * Adds the names of the payments that match `where` (a condition on payments) to the dictionary,
 * set-wise: what the insert trigger would have added row by row. The migration fills the table with it,
 * and the bulk seed (ADR 0038), which inserts its payments with that trigger out of the way, adds them
 * with it afterwards.
 */
export async function fillPaymentNames(db: Kysely<any>, where: RawBuilder<unknown> = sql`true`): Promise<void> {
  // SQLite reads "SELECT … ON CONFLICT" ambiguously unless the SELECT has a WHERE: it always has one here.
  await sql`insert into payment_names (practice_id, patient_name) select distinct practice_id, patient_name from payments where ${where} on conflict do nothing`.execute(db);
}

async function sqliteUp(db: Kysely<any>): Promise<void> {
  // An integer primary key: FTS5's external content refers to rows by rowid, which VACUUM may renumber otherwise.
  await sql`create table payment_names (
    id integer primary key,
    practice_id text not null,
    patient_name text not null,
    unique (practice_id, patient_name))`.execute(db);
  // Default trigram options: case folded (a superset of LIKE's ASCII case folding), no diacritics removed; the
  // search rechecks each name with the list's own LIKE, so the FTS table only narrows the names to test.
  await sql`create virtual table payment_names_trigram using fts5(patient_name, content = 'payment_names', content_rowid = 'id', tokenize = 'trigram')`.execute(db);
  await sql
    .raw(`create trigger payment_names_trigram_insert after insert on payment_names begin
      insert into payment_names_trigram (rowid, patient_name) values (new.id, new.patient_name);
    end`)
    .execute(db);
  await sql
    .raw(`create trigger payment_names_trigram_delete after delete on payment_names begin
      insert into payment_names_trigram (payment_names_trigram, rowid, patient_name) values ('delete', old.id, old.patient_name);
    end`)
    .execute(db);
  await sql
    .raw(`create trigger payment_names_insert after insert on payments begin
      insert into payment_names (practice_id, patient_name) values (new.practice_id, new.patient_name) on conflict do nothing;
    end`)
    .execute(db);
  await sql
    .raw(`create trigger payment_names_update after update of practice_id, patient_name on payments begin
      insert into payment_names (practice_id, patient_name) values (new.practice_id, new.patient_name) on conflict do nothing;
    end`)
    .execute(db);
}

async function postgresUp(db: Kysely<any>): Promise<void> {
  await sql`create table payment_names (
    practice_id text not null,
    patient_name text not null,
    primary key (practice_id, patient_name))`.execute(db);
  await sql
    .raw(`create function payment_names_track() returns trigger language plpgsql as $$
    begin
      insert into payment_names (practice_id, patient_name) values (new.practice_id, new.patient_name) on conflict do nothing;
      return null;
    end $$`)
    .execute(db);
  await sql.raw(`create trigger payment_names_track after insert or update of practice_id, patient_name on payments for each row execute function payment_names_track()`).execute(db);
  // pg_trgm ships with PostgreSQL's contrib and is a trusted extension (a database owner may create it). Where it
  // cannot be created, the block below swallows the error (its own subtransaction) and the search still works,
  // matching the dictionary by a scan of the practice's names instead of the trigram index.
  await sql
    .raw(`do $$ begin
      create extension if not exists pg_trgm;
    exception when others then
      raise warning 'pg_trgm is not available (%): payment name search scans the name dictionary', sqlerrm;
    end $$`)
    .execute(db);
  const trgm = await sql<{ ok: number }>`select 1 as ok from pg_extension where extname = 'pg_trgm'`.execute(db);
  if (trgm.rows.length > 0) await sql`create index payment_names_trigram on payment_names using gin (patient_name gin_trgm_ops)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema.dropIndex('payments_list_due').ifExists().execute();
  if (sqlite) {
    for (const t of ['payment_names_insert', 'payment_names_update', 'payment_names_trigram_insert', 'payment_names_trigram_delete']) {
      await sql.raw(`drop trigger if exists ${t}`).execute(db);
    }
    await sql`drop table if exists payment_names_trigram`.execute(db);
  } else {
    await sql.raw('drop trigger if exists payment_names_track on payments; drop function if exists payment_names_track').execute(db);
  }
  // pg_trgm stays: other objects may use it.
  await db.schema.dropTable('payment_names').ifExists().execute();
}
