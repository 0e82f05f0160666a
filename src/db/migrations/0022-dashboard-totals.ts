import { SqliteAdapter, sql, type Kysely, type RawBuilder } from 'kysely';

/**
 * Running totals for the dashboard (ADR 0026): payment_totals (count and
 * amount of payments per location, status, cash-or-credit method and paid
 * month) and refund_totals (money sent back per location and UTC hour).
 * Database triggers keep them, so every write path — the services, seeding,
 * an import — changes them in the same transaction as the row itself, and
 * no service has to remember to. `ledger verify` recomputes them from the
 * rows. location_id '' stands for "no location" (part of the primary key).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('payment_totals')
    .addColumn('practice_id', 'text', (c) => c.notNull())
    .addColumn('location_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    /** 1 when the method is set and is not a patient credit: such a received payment is new money. */
    .addColumn('cash_method', 'integer', (c) => c.notNull())
    /** 'YYYY-MM' of paid_date, '' when unpaid. */
    .addColumn('paid_month', 'text', (c) => c.notNull())
    .addColumn('payments', 'bigint', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('payment_totals_pk', ['practice_id', 'location_id', 'status', 'cash_method', 'paid_month'])
    .execute();
  await db.schema
    .createTable('refund_totals')
    .addColumn('practice_id', 'text', (c) => c.notNull())
    .addColumn('location_id', 'text', (c) => c.notNull())
    /** 'YYYY-MM-DDTHH' (UTC) of when the refund settled (created, if never settled). */
    .addColumn('hour', 'text', (c) => c.notNull())
    .addColumn('refunds', 'bigint', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('refund_totals_pk', ['practice_id', 'location_id', 'hour'])
    .execute();
  // A refund's settled time, for the months of a practice whose offset is not whole hours (see payment-dashboard.ts).
  await sql`create index refunds_settled on refunds (practice_id, (coalesce(settled_at, created_at)))`.execute(db);

  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  if (sqlite) await sqliteTriggers(db);
  else await postgresTriggers(db);

  // What is there already.
  await fillPaymentTotals(db);
  await sql`
    insert into refund_totals (practice_id, location_id, hour, refunds, amount_cents)
    select p.practice_id, coalesce(p.location_id, ''), substr(coalesce(r.settled_at, r.created_at), 1, 13), count(*), sum(r.amount_cents)
    from refunds r join payments p on p.id = r.payment_id
    where r.status = 'succeeded' and r.method <> 'credit' and p.method is not null and p.method <> 'patient_credit'
    group by 1, 2, 3`.execute(db);
}

const paymentKey = (row: 'new' | 'old') =>
  `${row}.practice_id, coalesce(${row}.location_id, ''), ${row}.status,
   case when ${row}.method is not null and ${row}.method <> 'patient_credit' then 1 else 0 end,
   coalesce(substr(${row}.paid_date, 1, 7), '')`;

const paymentUpsert = `on conflict (practice_id, location_id, status, cash_method, paid_month)
  do update set payments = payment_totals.payments + excluded.payments, amount_cents = payment_totals.amount_cents + excluded.amount_cents`;

const refundUpsert = `on conflict (practice_id, location_id, hour)
  do update set refunds = refund_totals.refunds + excluded.refunds, amount_cents = refund_totals.amount_cents + excluded.amount_cents`;

/** The refund's share of refund_totals, signed; none unless it is money that went back. */
const refundShare = (row: 'new' | 'old', sign: 1 | -1) => `
  insert into refund_totals (practice_id, location_id, hour, refunds, amount_cents)
  select p.practice_id, coalesce(p.location_id, ''), substr(coalesce(${row}.settled_at, ${row}.created_at), 1, 13), ${sign}, ${sign} * ${row}.amount_cents
  from payments p
  where p.id = ${row}.payment_id and ${row}.status = 'succeeded' and ${row}.method <> 'credit'
    and p.method is not null and p.method <> 'patient_credit'
  ${refundUpsert}`;

const paymentCols = 'insert into payment_totals (practice_id, location_id, status, cash_method, paid_month, payments, amount_cents)';

/**
 * Adds the payments that match `where` (a condition on payments) to payment_totals, set-wise: what the
 * insert trigger would have added row by row. The migration fills the table with it, and the bulk seed
 * (ADR 0038), which inserts its payments with that trigger out of the way, adds them with it afterwards.
 */
export async function fillPaymentTotals(db: Kysely<any>, where: RawBuilder<unknown> = sql`true`): Promise<void> {
  await sql`
    ${sql.raw(paymentCols)}
    select practice_id, coalesce(location_id, ''), status,
      case when method is not null and method <> 'patient_credit' then 1 else 0 end,
      coalesce(substr(paid_date, 1, 7), ''), count(*), sum(amount_cents)
    from payments where ${where} group by 1, 2, 3, 4, 5
    ${sql.raw(paymentUpsert)}`.execute(db);
}

async function sqliteTriggers(db: Kysely<any>): Promise<void> {
  await sql
    .raw(`create trigger payment_totals_insert after insert on payments begin
      ${paymentCols} values (${paymentKey('new')}, 1, new.amount_cents) ${paymentUpsert};
    end`)
    .execute(db);
  await sql
    .raw(`create trigger payment_totals_update after update of practice_id, location_id, status, method, paid_date, amount_cents on payments begin
      ${paymentCols} values (${paymentKey('old')}, -1, -old.amount_cents) ${paymentUpsert};
      ${paymentCols} values (${paymentKey('new')}, 1, new.amount_cents) ${paymentUpsert};
    end`)
    .execute(db);
  await sql
    .raw(`create trigger payment_totals_delete after delete on payments begin
      ${paymentCols} values (${paymentKey('old')}, -1, -old.amount_cents) ${paymentUpsert};
    end`)
    .execute(db);
  // SQLite reads "SELECT … ON CONFLICT" ambiguously unless the SELECT has a WHERE: the shares have one.
  await sql.raw(`create trigger refund_totals_insert after insert on refunds begin ${refundShare('new', 1)}; end`).execute(db);
  await sql
    .raw(`create trigger refund_totals_update after update of status, method, amount_cents, settled_at, created_at, payment_id on refunds begin
      ${refundShare('old', -1)}; ${refundShare('new', 1)};
    end`)
    .execute(db);
  await sql.raw(`create trigger refund_totals_delete after delete on refunds begin ${refundShare('old', -1)}; end`).execute(db);
}

async function postgresTriggers(db: Kysely<any>): Promise<void> {
  await sql
    .raw(`create function payment_totals_track() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and (old.practice_id, old.location_id, old.status, old.method, old.paid_date, old.amount_cents)
          is not distinct from (new.practice_id, new.location_id, new.status, new.method, new.paid_date, new.amount_cents) then
        return null;
      end if;
      if tg_op in ('UPDATE', 'DELETE') then
        ${paymentCols} values (${paymentKey('old')}, -1, -old.amount_cents) ${paymentUpsert};
      end if;
      if tg_op in ('UPDATE', 'INSERT') then
        ${paymentCols} values (${paymentKey('new')}, 1, new.amount_cents) ${paymentUpsert};
      end if;
      return null;
    end $$`)
    .execute(db);
  await sql.raw(`create trigger payment_totals_track after insert or update or delete on payments for each row execute function payment_totals_track()`).execute(db);
  await sql
    .raw(`create function refund_totals_track() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then ${refundShare('old', -1)}; end if;
      if tg_op in ('UPDATE', 'INSERT') then ${refundShare('new', 1)}; end if;
      return null;
    end $$`)
    .execute(db);
  await sql.raw(`create trigger refund_totals_track after insert or update or delete on refunds for each row execute function refund_totals_track()`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  if (sqlite) {
    for (const t of ['payment_totals_insert', 'payment_totals_update', 'payment_totals_delete', 'refund_totals_insert', 'refund_totals_update', 'refund_totals_delete']) {
      await sql.raw(`drop trigger if exists ${t}`).execute(db);
    }
  } else {
    await sql.raw('drop trigger if exists payment_totals_track on payments; drop function if exists payment_totals_track').execute(db);
    await sql.raw('drop trigger if exists refund_totals_track on refunds; drop function if exists refund_totals_track').execute(db);
  }
  await db.schema.dropIndex('refunds_settled').ifExists().execute();
  await db.schema.dropTable('refund_totals').ifExists().execute();
  await db.schema.dropTable('payment_totals').ifExists().execute();
}
