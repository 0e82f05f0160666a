import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { listPaymentsQuery } from '../src/contracts/payments.ts';
import { postgresCsvCopy, withLiterals } from '../src/db/slice-readers.ts';
import { csvChunks, toCsv } from '../src/server/csv.ts';
import { paymentCsvColumns, type PaymentCsvColumnSet } from '../src/server/payment-csv-columns.ts';
import { overAppliedCsvRead, paymentCsvRead } from '../src/services/payments/export-payments.ts';
import { paymentCsvRows, type PaymentCsvRead } from '../src/services/payments/payment-csv-rows.ts';
import { json } from './helpers/test-app.ts';
import { makeLocation, makePatient, makePayment, makeTreatment } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { useTestApp } from './helpers/test-app.ts';

/**
 * ADR 0066: on PostgreSQL the payments export's CSV is written by PostgreSQL (COPY … WITH (FORMAT csv)) from the
 * cells of server/csv-sql.ts. It must be the file the app writes from the rows' arrays (csv.ts), byte for byte.
 */
describe.skipIf(!dialects.includes('postgres'))('the CSV PostgreSQL writes (COPY)', () => {
  const t = useTestApp('postgres');

  async function bytes(chunks: AsyncIterable<string | Uint8Array>): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of chunks) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    return Buffer.concat(parts);
  }
  /** The file as the export thread writes it on PostgreSQL: the header, then COPY's lines. */
  async function viaCopy(set: PaymentCsvColumnSet, timeZone: string, read: PaymentCsvRead): Promise<Buffer> {
    if (read.source.dialect !== 'postgres' || !read.copy) throw new Error('no COPY read');
    const header = toCsv(paymentCsvColumns(set, timeZone).map((c) => c.header), []);
    return bytes((async function* () {
      yield header;
      yield* postgresCsvCopy((read.source as { connectionString: string }).connectionString, read.copy!);
    })());
  }
  /** The file as the app writes it from the rows' arrays (SQLite's way, and the reference). */
  const viaRows = (set: PaymentCsvColumnSet, timeZone: string, read: PaymentCsvRead) => bytes(csvChunks(paymentCsvColumns(set, timeZone), paymentCsvRows(read)));

  it('is the file the app writes, byte for byte: quoting, formula escapes, money, dates, filters, another practice left out', async () => {
    const db = t.database.handle.db;
    const practice = t.admin.actor.practiceId;
    const north = await makeLocation(t, t.admin, 'North');
    const annex = await makeLocation(t, t.admin, 'Annex');
    const zoe = await makePatient(t, t.admin, { firstName: 'Zoe', lastName: 'Adams' });
    const mary = await makePatient(t, t.admin, { firstName: 'Mary', lastName: 'Neil' });
    const dee = await makePatient(t, t.admin, { firstName: 'Dee', lastName: 'Arcy' });
    // Texts the API would trim or refuse are written to the rows directly: every case cell() treats apart.
    await db.updateTable('patients').set({ firstName: '=Mary', lastName: 'O"Neil, Jr' }).where('id', '=', mary.id).execute();
    await db.updateTable('patients').set({ firstName: "D'Arcy\\", lastName: 'two\nlines' }).where('id', '=', dee.id).execute();
    await db.updateTable('locations').set({ name: 'North, "Main"' }).where('id', '=', north.id).execute();
    await db.updateTable('locations').set({ name: '@Annex' }).where('id', '=', annex.id).execute();

    const texts: Array<string | null> = [
      '=HYPERLINK("http://evil.example","click")', '-12.50', '-12.5.0', '-12', '+', '@SUM(A1)', '\tlead', '\rcr', 'two\r\nlines',
      'line\nfeed', 'has $1 and $2', "quote'single", 'back\\slash', '', ' ', 'Ünïcødé ✓ 中文', '-2+3', '007', null, 'plain', '12.50',
      '١٢٣', '-١٢', 'a,b', '"', '""', ',', '\t', '\r', '\n', '\\.', "+cmd|' /C calc'!A0",
    ];
    const patients = [zoe, mary, dee];
    const amounts = [0, 1, 5, 99, 100, 101, 123456, 987654321];
    const made: Array<{ id: string }> = [];
    for (let i = 0; i < texts.length; i++) {
      const fields: Record<string, unknown> = { amountCents: amounts[i % amounts.length] || 1 };
      if (i % 3 === 0) Object.assign(fields, { status: 'paid', method: i % 2 ? 'cash' : 'check', paidDate: '2026-03-02' });
      if (i % 4 === 1) fields.dueDate = '2026-06-30';
      if (i % 2 === 0) fields.locationId = i % 4 === 0 ? north.id : annex.id;
      made.push(await makePayment(t, patients[i % patients.length]!.id, fields));
    }
    for (let i = 0; i < made.length; i++) {
      const text = texts[i]!;
      // Instants either side of midnight in New York, in winter and in summer time, (the practice's calendar below), in two years.
      const createdAt = ['2026-03-08T04:59:59.999Z', '2026-03-08T05:00:00.000Z', '2026-11-01T03:59:59.999Z', '2025-12-31T23:30:00.000Z', '2026-01-01T05:00:00.000Z'][i % 5]!;
      await db.updateTable('payments').set({ memo: texts[i], checkNumber: texts[(i + 7) % texts.length] ?? null, createdAt }).where('id', '=', made[i]!.id).execute();
      expect(text === null || typeof text === 'string').toBe(true);
    }
    // Over-applied: paid and applied in full, then partly refunded (unapplied below zero).
    const ola = await makePatient(t, t.admin, { firstName: 'Ola', lastName: 'Over' });
    await makeTreatment(t, ola.id, north.id, { serviceDate: '2026-02-01', lines: [{ cpt: '99213', chargeCents: 5000 }] });
    const over = await makePayment(t, ola.id, { amountCents: 5000, method: 'cash', status: 'paid', paidDate: '2026-02-01' });
    json(await t.request('POST', `/api/v1/payments/${over.id}/refunds`, { body: { amountCents: 2000, reason: 'billing_error' } }), 201);
    // Another practice, with a payment of the same patient's name.
    const stranger = await makePatient(t, t.otherAdmin, { firstName: 'Zoe', lastName: 'Adams' });
    await makePayment(t, stranger.id, { amountCents: 88888, status: 'paid', method: 'cash' }, t.otherAdmin);
    await db.updateTable('practices').set({ timeZone: 'America/New_York' }).where('id', '=', practice).execute();

    const timeZone = 'America/New_York';
    const queries: Array<Record<string, unknown>> = [
      {},
      { sort: 'amount', order: 'asc' },
      { sort: 'dueDate', order: 'asc' },
      { sort: 'patientName', order: 'desc' },
      { sort: 'status', order: 'asc' },
      { status: 'pending' },
      { status: 'paid,partially_refunded', locationId: north.id },
      { search: 'adams' },
      { search: 'o"neil' },
      { search: "d'arcy\\" },
      { search: 'pay-00' },
      { patientId: mary.id },
    ];
    for (const q of queries) {
      const query = listPaymentsQuery.parse(q);
      const cells = paymentCsvColumns('payments', timeZone).map((c) => c.sql);
      const read = await paymentCsvRead(db, t.admin.actor, query, cells);
      const [copied, formatted] = await Promise.all([viaCopy('payments', timeZone, read), viaRows('payments', timeZone, read)]);
      expect(copied.toString(), JSON.stringify(q)).toBe(formatted.toString());
      expect(Buffer.compare(copied, formatted), JSON.stringify(q)).toBe(0);
      expect(copied.toString()).not.toContain('888.88');
    }
    const whole = (await viaCopy('payments', timeZone, await paymentCsvRead(db, t.admin.actor, listPaymentsQuery.parse({}), paymentCsvColumns('payments', timeZone).map((c) => c.sql)))).toString();
    // Not an empty comparison: the cases are in the file, as cell() writes them.
    expect(whole.split('\r\n')[0]).toBe('number,status,patient,location,amount,refunded,applied,unapplied,type,method,checkNumber,dueDate,paidDate,createdDate,memo');
    for (const piece of [`"'=HYPERLINK(""http://evil.example"",""click"")"`, ',-12.50', `,'-12.5.0`, "'=Mary", '"\'=Mary O""Neil, Jr"', '"North, ""Main"""', "'@Annex", '"two\r\nlines"', '"line\nfeed"', ",'\tlead", '"\'\rcr"', '1234.56', '9876543.21', '2026-03-07', '2026-03-08', '2026-10-31', '2025-12-31', '2026-01-01', ',-20.00,', ',""""""']) {
      expect(whole).toContain(piece);
    }
    expect(whole).not.toContain('Stranger');
    expect(whole.match(/\r\nPAY-/g)).toHaveLength(made.length + 1);

    // The over-applied list: its own column and order.
    const overRead = await overAppliedCsvRead(db, t.admin.actor, paymentCsvColumns('over-applied', timeZone).map((c) => c.sql));
    const [overCopied, overFormatted] = await Promise.all([viaCopy('over-applied', timeZone, overRead), viaRows('over-applied', timeZone, overRead)]);
    expect(overCopied.toString()).toBe(overFormatted.toString());
    expect(overCopied.toString()).toContain(',50.00,20.00,50.00,-20.00,20.00,');
    await t.expectLedgerBalances();
  }, 120_000);

  it('ends each line with CRLF, keeps a line break inside a quoted cell, and gathers lines into chunks of any size', async () => {
    const source = (t.database.databaseUrl)!;
    const chunks: Uint8Array[] = [];
    const query = { sql: `select n, case when n % 1000 = 0 then repeat('y', 100000) when n % 7 = 0 then 'a' || chr(10) || 'b' else $1 end from generate_series(1, $2::int) n order by n`, parameters: ['x,"q"', 5000] };
    for await (const chunk of postgresCsvCopy(source, query)) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString();
    const lines = text.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(5001);
    expect(lines[0]).toBe('1,"x,""q"""');
    expect(lines[6]).toBe('7,"a\nb"');
    expect(lines[999]).toBe(`1000,${'y'.repeat(100000)}`);
    expect(text.replaceAll('\r\n', '')).not.toContain('\r');
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.some((c) => c.length > 100000)).toBe(true);
  });

  it('a COPY left mid-way closes its connection, and a failing one says why', async () => {
    const db = t.database.handle.db;
    const source = (t.database.databaseUrl)!;
    const copies = async () => Number((await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and query like 'copy (select n from generate_series%'`.execute(db)).rows[0]!.n);
    const left = postgresCsvCopy(source, { sql: 'select n from generate_series(1, 10000000) n', parameters: [] });
    expect((await left.next()).value!.length).toBeGreaterThan(0);
    expect(await copies()).toBe(1);
    await left.return(undefined);
    for (let tries = 0; tries < 50 && (await copies()) > 0; tries++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await copies()).toBe(0);
    await expect(bytes(postgresCsvCopy(source, { sql: 'select 1 / (n - 3) from generate_series(1, 5) n', parameters: [] }))).rejects.toThrow(/division by zero/);
  });

  it('writes parameters as literals that PostgreSQL reads back as they were', async () => {
    const values = ["o'brien", 'back\\slash', '$1', 'x"y', ''];
    const text = withLiterals({ sql: `select $1::text as a, $2::text as b, '$3 stays' as c, $3::text as d, $4::text as e, $5::text as f, $6 as g, $7 as h`, parameters: [...values, 42, null] });
    expect(text).toContain("'$3 stays'");
    const { rows } = await sql.raw<Record<string, unknown>>(text).execute(t.database.handle.db);
    expect(Object.values(rows[0]!)).toEqual([values[0], values[1], '$3 stays', values[2], values[3], values[4], 42, null]);
    expect(() => withLiterals({ sql: 'select $1', parameters: [{}] })).toThrow(TypeError);
    expect(() => withLiterals({ sql: 'select $2', parameters: [1] })).toThrow(RangeError);
  });
});
