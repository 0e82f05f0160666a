// The database's floor for "POST a Paid cash payment" (ADR 0050): exactly the statements one POST with an
// Idempotency-Key sends (tests/statements-per-money-change.test.ts lists them), with the same parameters' shapes,
// on a seeded database, by a plain script — no Fastify, no Kysely, no zod. Whatever rate this reaches is what the
// database allows the app at best; the app's own share is the gap between it and the bench's post row.
//
//   node bench/post-floor.mjs --dialect=sqlite --file=DATA_DIR/ledger.db [--seconds=10] [--shape=app|merged]
//   node bench/post-floor.mjs --dialect=postgres --url=postgres://… [--seconds=10] [--clients=32] [--shape=app|merged]
//
// SQLite: one connection, the app's pragmas, group commit as src/db/transaction.ts does it (one BEGIN IMMEDIATE,
// each request in SAVEPOINT sp_1, one COMMIT for a group of `clients` requests). PostgreSQL: `clients` connections,
// each a writer in a loop, with the app's BEGIN/COMMIT and flush-after-unlock (ADR 0041). `--shape=merged` is the
// plan of ADR 0050 on PostgreSQL: the number, the writes and the key's answer in one statement. `--queue=1`: the
// clients of this process wait for the practice's number in turn here, so PostgreSQL has one waiter on its row.
// Prints requests/s, the process's CPU per request and each statement's mean time.
import { randomBytes, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const dialect = args.dialect ?? 'sqlite';
const seconds = Number(args.seconds ?? 10);
const clients = Number(args.clients ?? 32);
const shape = args.shape ?? 'app';

let lastMs = 0;
let seq = 0;
/** Time-ordered ids like the app's (UUIDv7): new rows append to the primary-key indexes. */
function newId() {
  const ms = Math.max(Date.now(), lastMs);
  seq = ms === lastMs ? seq + 1 : 0;
  lastMs = ms;
  const b = randomBytes(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | ((seq >> 8) & 0x0f);
  b[7] = seq & 0xff;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const sql = {
  token: 'select "id", "practice_id", "name", "role", "expires_at", "last_used_at" from "api_tokens" where "token_hash" = ? and "revoked_at" is null',
  claimKey:
    'insert into "idempotency_keys" ("practice_id", "key", "request_hash", "response_status", "response_body", "created_at", "state") values (?, ?, ?, ?, ?, ?, ?) on conflict ("practice_id", "key") do nothing',
  patient: 'select * from "patients" where "id" = ? and "practice_id" = ?',
  openBalances:
    'select "id", "service_date", patient_responsibility_cents - applied_cents as "open" from "treatments" where "practice_id" = ? and "patient_id" = ? and patient_responsibility_cents - applied_cents > 0',
  number: 'update "practices" set "payment_seq" = "payment_seq" + ? where "id" = ? returning "payment_seq", "time_zone"',
  payment:
    'insert into "payments" ("id", "practice_id", "number", "patient_id", "patient_name", "location_id", "treatment_id", "amount_cents", "refunded_cents", "applied_cents", "status", "type", "method", "check_number", "due_date", "paid_date", "memo", "link_token", "link_expires_at", "processor_reference", "charge_attempt", "card_last4", "refunding_cents", "created_at", "created_by", "updated_at") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  audit: 'insert into "audit_events" ("id", "practice_id", "actor_type", "actor_id", "action", "entity_type", "entity_id", "before", "after", "created_at") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  outbox: 'insert into "outbox_events" ("id", "practice_id", "type", "payload", "created_at", "delivered_at") values (?, ?, ?, ?, ?, ?)',
  entry: 'insert into "journal_entries" ("id", "practice_id", "kind", "payment_id", "memo", "created_at", "created_by", "source_type", "source_id") values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  lines:
    'insert into "journal_lines" ("id", "entry_id", "practice_id", "account", "patient_id", "payment_id", "treatment_id", "amount_cents") values (?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?)',
  finishKey: 'update "idempotency_keys" set "state" = ?, "response_status" = ?, "response_body" = ? where "practice_id" = ? and "key" = ? and "state" = ?',
};

/** One request's parameters, statement by statement (the number and time zone filled in once known). */
function requestParams(ctx, number, today) {
  const now = new Date().toISOString();
  const paymentId = newId();
  const entryId = newId();
  const key = randomUUID();
  const row = {
    id: paymentId, practiceId: ctx.practiceId, number, patientId: ctx.patientId, patientName: ctx.patientName, locationId: null, treatmentId: null,
    amountCents: 2500, refundedCents: 0, appliedCents: 0, status: 'paid', type: 'private_pay', method: 'cash', checkNumber: null, dueDate: null,
    paidDate: today, memo: null, linkToken: null, linkExpiresAt: null, processorReference: null, chargeAttempt: null, cardLast4: null, refundingCents: 0,
    createdAt: now, createdBy: ctx.tokenName, updatedAt: now,
  };
  const answer = JSON.stringify({ ...row, number: `PAY-${number}`, refundableCents: 2500, chargedThroughProcessor: false, practiceToday: today, link: null });
  return {
    key,
    claimKey: [ctx.practiceId, key, randomBytes(32).toString('hex'), 0, 'null', now, 'pending'],
    payment: Object.values(row),
    audit: [newId(), ctx.practiceId, 'token', ctx.tokenId, 'payment.created', 'payment', paymentId, null, JSON.stringify(row), now],
    outbox: [newId(), ctx.practiceId, 'payment.created', JSON.stringify({ paymentId, status: 'paid', amountCents: 2500 }), now, null],
    entry: [entryId, ctx.practiceId, 'payment_received', paymentId, `PAY-${number} received (cash)`, now, ctx.tokenId, 'payment', paymentId],
    lines: [
      newId(), entryId, ctx.practiceId, 'cash_clearing', ctx.patientId, paymentId, null, 2500,
      newId(), entryId, ctx.practiceId, 'patient_unapplied', ctx.patientId, paymentId, null, -2500,
    ],
    finishKey: ['done', 201, answer, ctx.practiceId, key, 'pending'],
  };
}

const timings = new Map();
/** A synchronous (SQLite) statement's wall and CPU time: on a shared machine the CPU is the steadier figure. */
function timed(name, fn) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = fn();
  const spent = process.hrtime.bigint() - start;
  const used = process.cpuUsage(cpu);
  const t = timings.get(name) ?? { n: 0, ns: 0n, cpuUs: 0 };
  t.n++;
  t.ns += spent;
  t.cpuUs += used.user + used.system;
  timings.set(name, t);
  return result;
}
async function timedAsync(name, fn) {
  const start = process.hrtime.bigint();
  const result = await fn();
  const spent = process.hrtime.bigint() - start;
  const t = timings.get(name) ?? { n: 0, ns: 0n };
  t.n++;
  t.ns += spent;
  timings.set(name, t);
  return result;
}

function report(done, elapsedMs, cpuStart) {
  const cpu = process.cpuUsage(cpuStart);
  const perRequestUs = (cpu.user + cpu.system) / done;
  console.log(JSON.stringify({ dialect, shape, clients, cacheMb: args['cache-mb'] ?? 'default', requests: done, seconds: +(elapsedMs / 1000).toFixed(2), rate: Math.round((done * 1000) / elapsedMs), clientCpuUsPerRequest: Math.round(perRequestUs) }));
  for (const [name, t] of timings) {
    const cpu = t.cpuUs === undefined ? '' : `, CPU ${(t.cpuUs / t.n).toFixed(1)} µs`;
    console.log(`  ${name.padEnd(14)} ${(Number(t.ns / BigInt(t.n)) / 1000).toFixed(1).padStart(8)} µs mean${cpu} (${t.n})`);
  }
}

async function sqliteFloor() {
  const db = new Database(args.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  db.pragma('temp_store = MEMORY');
  // --cache-mb=N: a larger page cache than the app's default (SQLite's 2 MB), to see what the misses cost.
  if (args['cache-mb']) db.pragma(`cache_size = -${Number(args['cache-mb']) * 1024}`);
  // --autocheckpoint=N pages (SQLite's default 1000): a group of 32 payments writes more than that, so each COMMIT checkpoints.
  if (args.autocheckpoint) db.pragma(`wal_autocheckpoint = ${Number(args.autocheckpoint)}`);
  const s = Object.fromEntries(Object.entries(sql).map(([name, text]) => [name, db.prepare(text)]));
  const ctl = Object.fromEntries(['begin immediate', 'savepoint "sp_1"', 'release "sp_1"', 'commit'].map((text) => [text, db.prepare(text)]));
  const ctx = sqliteContext(db);
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  let done = 0;
  while (performance.now() - started < seconds * 1000) {
    // The requests of one group: each looks its token up (outside the transaction), then the group runs.
    for (let i = 0; i < clients; i++) timed('token', () => s.token.get(ctx.tokenHash));
    timed('begin', () => ctl['begin immediate'].run());
    for (let i = 0; i < clients; i++) {
      timed('savepoint', () => ctl['savepoint "sp_1"'].run());
      const p = requestParams(ctx, 0, '');
      timed('claimKey', () => s.claimKey.run(...p.claimKey));
      timed('patient', () => s.patient.get(ctx.patientId, ctx.practiceId));
      const open = timed('openBalances', () => s.openBalances.all(ctx.practiceId, ctx.patientId));
      if (open.length > 0) throw new Error('the patient owes something: pick one who owes nothing (the bench path)');
      const n = timed('number', () => s.number.get(1, ctx.practiceId));
      p.payment[2] = n.payment_seq;
      p.payment[15] = new Date().toISOString().slice(0, 10);
      for (const name of ['payment', 'audit', 'outbox', 'entry', 'lines', 'finishKey']) timed(name, () => s[name].run(...p[name]));
      timed('release', () => ctl['release "sp_1"'].run());
    }
    timed('commit', () => ctl.commit.run());
    done += clients;
  }
  report(done, performance.now() - started, cpuStart);
  db.close();
}

function sqliteContext(db) {
  const practice = db.prepare(`select id from practices where slug = 'bench'`).get();
  const token = db.prepare('select id, name, token_hash from api_tokens where practice_id = ? and revoked_at is null limit 1').get(practice.id);
  const patient = db.prepare('select id, first_name, last_name from patients where practice_id = ? order by last_name, first_name, id limit 1').get(practice.id);
  return { practiceId: practice.id, tokenId: token.id, tokenName: token.name, tokenHash: token.token_hash, patientId: patient.id, patientName: `${patient.last_name}, ${patient.first_name}`.toLowerCase() };
}

/** `?` placeholders as `$1…`, numbered from `offset`. */
function numbered(text, offset = 0) {
  let n = offset;
  return text.replace(/\?/g, () => `$${++n}`);
}

async function postgresFloor() {
  const types = { getTypeParser: (oid, format) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format)) };
  const connections = await Promise.all(Array.from({ length: clients }, async () => {
    const c = new pg.Client({ connectionString: args.url, types, options: '-c jit=off' });
    await c.connect();
    return c;
  }));
  const q = Object.fromEntries(Object.entries(sql).map(([name, text]) => [name, numbered(text)]));
  const ctx = await postgresContext(connections[0]);
  // The app's one write statement after the number (writeTogether): payment, audit, outbox, entry as WITH parts, lines last.
  const parts = ['payment', 'audit', 'outbox', 'entry'];
  let offset = 0;
  const withParts = parts.map((name, i) => {
    const text = numbered(sql[name], offset);
    offset += (sql[name].match(/\?/g) ?? []).length;
    return `w${i} as (${text})`;
  });
  const writes = `with ${withParts.join(', ')} ${numbered(sql.lines, offset)}`;
  // Merged: the number, the writes and the key's answer in one statement; the number and time zone from the
  // practices update, referenced by the payment's insert and the entry's memo.
  const merged = mergedStatement();
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  let done = 0;
  const deadline = started + seconds * 1000;
  await Promise.all(connections.map(async (c) => {
    while (performance.now() < deadline) {
      await timedAsync('token', () => c.query(q.token, [ctx.tokenHash]));
      await timedAsync('begin', () => c.query('begin; set local synchronous_commit to off'));
      const p = requestParams(ctx, 0, '');
      await timedAsync('claimKey', () => c.query(q.claimKey, p.claimKey));
      await timedAsync('patient', () => c.query(q.patient, [ctx.patientId, ctx.practiceId]));
      const open = await timedAsync('openBalances', () => c.query(q.openBalances, [ctx.practiceId, ctx.patientId]));
      if (open.rows.length > 0) throw new Error('the patient owes something: pick one who owes nothing (the bench path)');
      // --queue: the practice's number is waited for in this process (one waiter at a time in PostgreSQL).
      const release = args.queue ? await numberTurn() : () => {};
      if (shape === 'merged') {
        await timedAsync('merged', () => c.query(merged, [...p.payment.filter((_, i) => i !== 2 && i !== 15), ...p.audit, ...p.outbox, ...p.entry.filter((_, i) => i !== 4), ...p.lines, ...p.finishKey]));
      } else {
        const n = await timedAsync('number', () => c.query(q.number, [1, ctx.practiceId]));
        p.payment[2] = n.rows[0].payment_seq;
        p.payment[15] = new Date().toISOString().slice(0, 10);
        await timedAsync('writes', () => c.query(writes, [...p.payment, ...p.audit, ...p.outbox, ...p.entry, ...p.lines]));
        await timedAsync('finishKey', () => c.query(q.finishKey, p.finishKey));
      }
      await timedAsync('commit', () => c.query('commit'));
      release();
      await timedAsync('flush', () => c.query('select pg_current_xact_id()'));
      done++;
    }
  }));
  report(done, performance.now() - started, cpuStart);
  await Promise.all(connections.map((c) => c.end()));
}

let numberQueue = Promise.resolve();
/** Resolves when this client's turn at the number comes; call the answer to pass the turn on. */
async function numberTurn() {
  let release;
  const turn = new Promise((resolve) => (release = resolve));
  const before = numberQueue;
  numberQueue = before.then(() => turn);
  await timedAsync('queue', () => before);
  return release;
}

/** The merged statement's text: parameters in the order the call above passes them. */
function mergedStatement() {
  const paymentColumns = sql.payment.match(/\(([^)]*)\) values/)[1];
  let n = 0;
  const next = () => `$${++n}`;
  // payment: 26 columns less number (2) and paid_date (15), which come from the number's row.
  const paymentValues = Array.from({ length: 26 }, (_, i) => (i === 2 ? 'num.payment_seq' : i === 15 ? "(now() at time zone num.time_zone)::date::text" : next()));
  // The audit row's copy of the payment and the key's stored answer hold the number: filled in from num by replace().
  const audit = Array.from({ length: 10 }, (_, i) => (i === 8 ? `replace(${next()}, '"number":0,', '"number":' || num.payment_seq || ',')` : next()));
  const outbox = Array.from({ length: 6 }, next);
  const entry = Array.from({ length: 9 }, (_, i) => (i === 4 ? `'PAY-' || num.payment_seq || ' received (cash)'` : next()));
  const lines = Array.from({ length: 16 }, next);
  const finish = Array.from({ length: 6 }, next);
  const pid = entry[1];
  return `with num as (update "practices" set "payment_seq" = "payment_seq" + 1 where "id" = ${pid} returning "payment_seq", "time_zone"),
    w0 as (insert into "payments" (${paymentColumns}) select ${paymentValues.join(', ')} from num),
    w1 as (insert into "audit_events" ("id", "practice_id", "actor_type", "actor_id", "action", "entity_type", "entity_id", "before", "after", "created_at") select ${audit.join(', ')} from num),
    w2 as (insert into "outbox_events" ("id", "practice_id", "type", "payload", "created_at", "delivered_at") values (${outbox.join(', ')})),
    w3 as (insert into "journal_entries" ("id", "practice_id", "kind", "payment_id", "memo", "created_at", "created_by", "source_type", "source_id") select ${entry.join(', ')} from num),
    w4 as (insert into "journal_lines" ("id", "entry_id", "practice_id", "account", "patient_id", "payment_id", "treatment_id", "amount_cents") values (${lines.slice(0, 8).join(', ')}), (${lines.slice(8).join(', ')}))
    update "idempotency_keys" set "state" = ${finish[0]}, "response_status" = ${finish[1]}, "response_body" = replace(${finish[2]}, '"number":"PAY-0"', '"number":"PAY-' || lpad(num.payment_seq::text, 3, '0') || '"') from num where "practice_id" = ${finish[3]} and "key" = ${finish[4]} and "state" = ${finish[5]}`;
}

async function postgresContext(c) {
  const practice = (await c.query(`select id from practices where slug = 'bench'`)).rows[0];
  const token = (await c.query('select id, name, token_hash from api_tokens where practice_id = $1 and revoked_at is null limit 1', [practice.id])).rows[0];
  const patient = (await c.query('select id, first_name, last_name from patients where practice_id = $1 order by last_name, first_name, id limit 1', [practice.id])).rows[0];
  return { practiceId: practice.id, tokenId: token.id, tokenName: token.name, tokenHash: token.token_hash, patientId: patient.id, patientName: `${patient.last_name}, ${patient.first_name}`.toLowerCase() };
}

await (dialect === 'postgres' ? postgresFloor() : sqliteFloor());
