// The POST row's second ceiling on PostgreSQL: the statements one "POST a Paid cash payment" sends, run by pgbench
// (a C client: no Node, no Fastify, no Kysely, no zod) with 32 clients, beside pgbench's own tpcb-like in the same
// run. Whatever rate this reaches is what the database and this machine allow any app sending these statements; the
// target's 75 % of tpcb-like is reachable only if this is well above it (ADR 0065).
//
// The script is made from a payment the app itself wrote through the API a moment before (its row, audit row, event,
// journal entry and lines, and its Idempotency-Key's answer), so it sends the app's statements with the app's values:
// the API token's lookup; BEGIN with synchronous_commit off; the key's claim; the patient with whether anything of
// theirs is open and the practice's time zone (one read, ADR 0070); one statement that takes the number and writes
// the payment, its audit row, event, journal entry and lines and the key's answer (ADR 0064), the number put into
// the texts by replace() of a stand-in as the app does; COMMIT; the flush after the locks are gone (ADR 0041).
// tests/statements-per-money-change.test.ts holds the app to this list: change both together. Each transaction's
// ids are new and time-ordered like the app's (UUIDv7); its key is new. pgbench runs in simple-query mode with the
// values written into the text (tpcb-like's mode too).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';

type Row = Record<string, unknown>;

/** A random 16-digit stand-in for the payment's number inside texts (as src/db/late-number.ts does). */
const standIn = '7316094528861043';

/** A text literal. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return `'${String(value).replaceAll("'", "''")}'`;
}

/** A new time-ordered id per transaction, UUIDv7's layout: 48 bits of milliseconds, then random. */
const newIdSql = `(lpad(to_hex((extract(epoch from clock_timestamp()) * 1000)::bigint), 12, '0') || '7' || substr(md5(random()::text), 1, 3) || '8' || substr(md5(random()::text), 1, 15))::uuid::text`;

/** PAY-001 from the number, as the app's paymentNumberShown.sql. */
const numberShownSql = `'PAY-' || lpad((select number from taken)::text, greatest(3, length((select number from taken)::text)), '0')`;

/**
 * A text value with this transaction's ids and number: each old id replaced by the new one (`ids`' columns), and
 * the number's stand-in by the number, as the app's LateNumber does.
 */
function textSql(value: string, idNames: Map<string, string>): string {
  let sql = literal(value);
  for (const [old, name] of idNames) if (value.includes(old)) sql = `replace(${sql}, ${literal(old)}, (select ${name} from ids))`;
  if (value.includes(standIn)) sql = `replace(replace(${sql}::text, 'PAY-${standIn}', ${numberShownSql}), '${standIn}', (select number from taken)::text)`;
  return sql;
}

function insertSql(table: string, rows: Row[], idNames: Map<string, string>, number?: bigint): string {
  const columns = Object.keys(rows[0]!);
  const values = rows.map((row) =>
    columns
      .map((column) => {
        const value = row[column];
        if (column === 'number' && number !== undefined) return '(select number from taken)';
        if (typeof value === 'string' && idNames.has(value)) return `(select ${idNames.get(value)} from ids)`;
        return typeof value === 'string' ? textSql(value, idNames) : literal(value);
      })
      .join(', '),
  );
  return `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${values.map((v) => `(${v})`).join(', ')}`;
}

/** The pgbench script of one POST, made from the rows the app wrote for `paymentId`. */
export async function postStatementsScript(client: pg.Client, paymentId: string): Promise<string> {
  const one = async (sql: string, params: unknown[]) => (await client.query(sql, params)).rows as Row[];
  const [payment] = await one('select * from payments where id = $1', [paymentId]);
  if (!payment) throw new Error(`post statements: payment ${paymentId} not found`);
  const practiceId = payment.practice_id as string;
  const audits = await one(`select * from audit_events where entity_id = $1 and action = 'payment.created'`, [paymentId]);
  const events = await one(`select * from outbox_events where practice_id = $1 and payload like $2`, [practiceId, `%${paymentId}%`]);
  const entries = await one('select * from journal_entries where payment_id = $1', [paymentId]);
  const lines = await one('select * from journal_lines where entry_id = any($1)', [entries.map((e) => e.id)]);
  const [key] = await one('select * from idempotency_keys where practice_id = $1 and response_body like $2', [practiceId, `%${paymentId}%`]);
  const [token] = await one('select token_hash from api_tokens where practice_id = $1 and revoked_at is null limit 1', [practiceId]);
  // The nothing-open path: one audit row, one event, one entry of two lines (the app's merged statement then).
  if (audits.length !== 1 || events.length !== 1 || entries.length !== 1 || lines.length !== 2 || !key || !token) {
    throw new Error(`post statements: payment ${paymentId} is not a nothing-open Paid payment with a key (audits ${audits.length}, events ${events.length}, entries ${entries.length}, lines ${lines.length})`);
  }
  const number = BigInt(payment.number as string);
  const shown = `PAY-${String(number).padStart(3, '0')}`;
  // The number as the app's texts hold it before it is taken: the stand-in.
  const withStandIn = (row: Row): Row =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' ? v.replaceAll(shown, `PAY-${standIn}`).replaceAll(`"number":${number}`, `"number":${standIn}`) : v]));
  const idNames = new Map<string, string>([
    [paymentId, 'payment'],
    [audits[0]!.id as string, 'audit'],
    [events[0]!.id as string, 'event'],
    [entries[0]!.id as string, 'entry'],
    [lines[0]!.id as string, 'line1'],
    [lines[1]!.id as string, 'line2'],
  ]);
  const keyValue = `'pf-:client_id-:k'`;
  const merged = [
    `with ids (${[...idNames.values()].join(', ')}) as (select ${[...idNames.values()].map(() => newIdSql).join(', ')})`,
    `taken (number) as (update "practices" set "payment_seq" = "payment_seq" + 1 where "id" = ${literal(practiceId)} returning "payment_seq")`,
    `w0 as (${insertSql('payments', [withStandIn(payment)], idNames, number)})`,
    `w1 as (${insertSql('audit_events', audits.map(withStandIn), idNames)})`,
    `w2 as (${insertSql('outbox_events', events.map(withStandIn), idNames)})`,
    `w3 as (${insertSql('journal_entries', entries.map(withStandIn), idNames)})`,
    `w4 as (${insertSql('journal_lines', lines.map(withStandIn), idNames)})`,
    `w5 as (update "idempotency_keys" set "state" = 'done', "response_status" = ${key.response_status}, "response_body" = ${textSql(withStandIn(key).response_body as string, idNames)} where "practice_id" = ${literal(practiceId)} and "key" = ${keyValue} and "state" = 'pending')`,
  ].join(', ');
  const statements = [
    '\\set k random(1, 999999999999999)',
    `select "id", "practice_id", "name", "role", "expires_at", "last_used_at" from "api_tokens" where "token_hash" = ${literal(token.token_hash)} and "revoked_at" is null;`,
    'begin \\; set local synchronous_commit to off;',
    `insert into "idempotency_keys" ("practice_id", "key", "request_hash", "response_status", "response_body", "created_at", "state") values (${literal(practiceId)}, ${keyValue}, ${literal(key.request_hash)}, 0, 'null', ${literal(key.created_at)}, 'pending') on conflict ("practice_id", "key") do nothing;`,
    `select *, exists (select "id", "service_date", patient_responsibility_cents - applied_cents as "open" from "treatments" where "practice_id" = ${literal(practiceId)} and "patient_id" = ${literal(payment.patient_id)} and patient_responsibility_cents - applied_cents > 0) as "anything_open", (select "time_zone" from "practices" where "practices"."id" = ${literal(practiceId)}) as "time_zone" from "patients" where "id" = ${literal(payment.patient_id)} and "practice_id" = ${literal(practiceId)};`,
    `${merged} select number from taken;`,
    'commit;',
    'select pg_current_xact_id();',
  ];
  // pgbench reads one command per line (a command may not span lines unless it ends with a semicolon).
  return `${statements.map((s) => s.replaceAll('\n', ' ')).join('\n')}\n`;
}

/**
 * One client alone, nothing to wait for: each statement's mean time (pgbench -r). The practice's number row is held
 * from the statement that takes it to COMMIT, so 1 / (that statement + COMMIT) is the most payments a second one
 * practice can take, whatever the app.
 */
export function pgbenchScriptHoldMs(bin: string, url: string, script: string, seconds: number): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-pgbench-'));
  try {
    const file = path.join(dir, 'post.sql');
    fs.writeFileSync(file, script);
    const out = execFileSync(bin, ['-n', '-M', 'simple', '-r', '-f', file, '-c', '1', '-j', '1', '-T', String(seconds), url], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = out.split('\n');
    const msOf = (start: string) => Number(/^\s+([\d.]+)/.exec(lines.find((l) => l.includes(start))!)![1]);
    return msOf(' with ids (') + msOf(' commit;');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Transactions a second of the script, pgbench with `clients` connections for `seconds` (one sample). */
export function pgbenchScriptRate(bin: string, url: string, script: string, seconds: number, clients = 32): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-pgbench-'));
  try {
    const file = path.join(dir, 'post.sql');
    fs.writeFileSync(file, script);
    const out = execFileSync(bin, ['-n', '-M', 'simple', '-f', file, '-c', String(clients), '-j', '2', '-T', String(seconds), url], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const failed = /number of failed transactions: (\d+)/.exec(out);
    if (failed && Number(failed[1]) > 0) throw new Error(`pgbench: ${failed[1]} failed transactions\n${out}`);
    return Number(/tps = ([\d.]+)/.exec(out)![1]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
