import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { listPaymentsQuery } from '../src/contracts/payments.ts';
import { noDueDate } from '../src/db/migrations/0027-payment-name-search.ts';
import { formatPaymentNumber } from '../src/domain/payments/payment-status.ts';
import { decimalOfCents } from '../src/domain/money.ts';
import { seedBulk } from '../src/services/demo/seed-bulk.ts';
import { paymentCsvSlices } from '../src/services/payments/export-payments.ts';
import { makePatient, makePayment } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { useTestApp } from './helpers/test-app.ts';

describe.each(dialects)('the streamed CSV export on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('answers other requests while it streams many rows, and every row is in it, in the list order', async () => {
    await seedBulk(t.database.handle.db, t.admin.actor, { patients: 50, payments: 20000 });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const headers = { authorization: `Bearer ${t.admin.token}` };

    const response = await fetch(`${base}/api/v1/payments/export.csv?sort=amount&order=desc`, { headers });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value, { stream: true });
    // The export is under way; it is read to the end as fast as it comes while other requests are made.
    let exportDone = 0;
    const reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      exportDone = performance.now();
    })();
    const answered = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const other = await fetch(`${base}/api/v1/payments?pageSize=5`, { headers });
        expect(other.status).toBe(200);
        await other.json();
        return performance.now();
      }),
    );
    await reading;
    for (const at of answered) expect(at).toBeLessThan(exportDone);

    const lines = text.split('\r\n');
    expect(lines.at(-1)).toBe('');
    const rows = lines.slice(1, -1).map((l) => l.split(','));
    const expected = await t.database.handle.db
      .selectFrom('payments')
      .select(['number', 'amountCents'])
      .where('practiceId', '=', t.admin.actor.practiceId)
      .orderBy('amountCents', 'desc')
      .orderBy('number', 'desc')
      .execute();
    expect(expected.length).toBeGreaterThanOrEqual(20000);
    expect(rows.map((r) => [r[0], r[4]])).toEqual(expected.map((p) => [formatPaymentNumber(Number(p.number)), decimalOfCents(Number(p.amountCents))]));

    // Read in slices of many rows: the order and the filters hold across each slice's edge, for a sort on an
    // expression (due date: undated last), on the patient's name, with a status and a location filter.
    const exported = async (query: string) => {
      const text = await (await fetch(`${base}/api/v1/payments/export.csv?${query}`, { headers })).text();
      return text.split('\r\n').slice(1, -1).map((l) => l.split(',')[0]);
    };
    const db = t.database.handle.db;
    const practice = t.admin.actor.practiceId;
    const byDue = await db.selectFrom('payments').select('number').where('practiceId', '=', practice)
      .orderBy(sql`coalesce(due_date, ${noDueDate})`, 'asc').orderBy('number', 'asc').execute();
    expect(await exported('sort=dueDate&order=asc')).toEqual(byDue.map((p) => formatPaymentNumber(Number(p.number))));
    const byName = await db.selectFrom('payments').select('number').where('practiceId', '=', practice)
      .orderBy('patientName', 'desc').orderBy('number', 'desc').execute();
    expect(await exported('sort=patientName&order=desc')).toEqual(byName.map((p) => formatPaymentNumber(Number(p.number))));
    const location = await db.selectFrom('locations').select('id').where('practiceId', '=', practice).executeTakeFirstOrThrow();
    const paidThere = await db.selectFrom('payments').select('number').where('practiceId', '=', practice).where('locationId', '=', location.id)
      .where('status', 'in', ['paid', 'pending']).orderBy('createdAt', 'desc').orderBy('number', 'desc').execute();
    expect(paidThere.length).toBeGreaterThan(1000);
    expect(await exported(`status=paid,pending&locationId=${location.id}`)).toEqual(paidThere.map((p) => formatPaymentNumber(Number(p.number))));
  }, 120_000);

  it('an export whose client goes away stops on the export thread and closes its read', async () => {
    await seedBulk(t.database.handle.db, t.admin.actor, { patients: 20, payments: 5000 });
    // The app of this file is one; the test before may have started it listening.
    if (!t.app.server.listening) await t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const headers = { authorization: `Bearer ${t.admin.token}` };
    const db = t.database.handle.db;

    // A read holding its snapshot: on PostgreSQL its cursor's connection; on SQLite its read transaction, which keeps
    // a checkpoint from copying the frames written after it back into the database file.
    const readsOpen = async () => {
      if (dialect === 'postgres') {
        const open = await sql<{ count: number }>`select count(*)::int as count from pg_stat_activity where datname = current_database() and query like 'fetch % from slices'`.execute(db);
        return open.rows[0]!.count;
      }
      await makePayment(t, (await makePatient(t)).id, { amountCents: 100 });
      const [frames] = await sql<{ log: number; checkpointed: number }>`pragma wal_checkpoint(passive)`.execute(db).then((r) => r.rows);
      return frames!.checkpointed < frames!.log ? 1 : 0;
    };
    const waitForNoReads = async () => {
      for (let tries = 0; tries < 100 && (await readsOpen()) > 0; tries++) await new Promise((resolve) => setTimeout(resolve, 100));
      return readsOpen();
    };

    for (let i = 0; i < 3; i++) {
      const abort = new AbortController();
      const response = await fetch(`${base}/api/v1/payments/export.csv`, { headers, signal: abort.signal });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      expect((await reader.read()).value!.length).toBeGreaterThan(0);
      expect(await readsOpen()).toBe(1);
      abort.abort();
      await reader.cancel().catch(() => undefined);
      expect(await waitForNoReads()).toBe(0);
    }
    // The thread still serves the next export whole.
    const whole = await (await fetch(`${base}/api/v1/payments/export.csv`, { headers })).text();
    const { count } = await db.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('count')).where('practiceId', '=', t.admin.actor.practiceId).executeTakeFirstOrThrow();
    expect(whole.split('\r\n').length - 2).toBe(Number(count));
  }, 120_000);

  it('reads one snapshot of the list, and an export left mid-way gives back what it holds', async () => {
    await seedBulk(t.database.handle.db, t.admin.actor, { patients: 10, payments: 450 });
    const db = t.database.handle.db;
    const oldestFirst = listPaymentsQuery.parse({ sort: 'createdAt', order: 'asc' });
    const { count } = await db.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('count')).where('practiceId', '=', t.admin.actor.practiceId).executeTakeFirstOrThrow();
    const existing = Number(count);
    const numbersOf = (slices: Array<readonly (readonly unknown[])[]>) => slices.flatMap((slice) => slice.map((row) => row[0] as number));

    // A payment made while an export is under way, placed after the slice already read: not in that file, in the next.
    const slices = paymentCsvSlices(db, t.admin.actor, oldestFirst, 100);
    const read: Array<readonly (readonly unknown[])[]> = [(await slices.next()).value!];
    const made = await makePayment(t, (await makePatient(t)).id, { amountCents: 1234 });
    for await (const slice of slices) read.push(slice);
    expect(existing % 100).not.toBe(0);
    expect(read.map((slice) => slice.length)).toEqual([...Array<number>(Math.floor(existing / 100)).fill(100), existing % 100]);
    const madeNumber = Number(String(made.number).slice(4));
    expect(numbersOf(read)).not.toContain(madeNumber);
    const after: Array<readonly (readonly unknown[])[]> = [];
    for await (const slice of paymentCsvSlices(db, t.admin.actor, oldestFirst, 100)) after.push(slice);
    expect(numbersOf(after).indexOf(madeNumber)).toBeGreaterThanOrEqual(100);
    expect(numbersOf(after).filter((n) => n !== madeNumber)).toEqual(numbersOf(read));

    // Exports left after their first slice close what they opened (on PostgreSQL, a connection of their own with
    // its cursor), and the next export and the list still answer.
    for (let i = 0; i < 12; i++) {
      const left = paymentCsvSlices(db, t.admin.actor, oldestFirst, 100);
      expect((await left.next()).value).toHaveLength(100);
      await left.return(undefined);
    }
    if (dialect === 'postgres') {
      const open = await sql<{ count: number }>`select count(*)::int as count from pg_stat_activity where datname = current_database() and query like 'fetch % from slices'`.execute(db);
      expect(open.rows[0]!.count).toBe(0);
    }
    let rows = 0;
    for await (const slice of paymentCsvSlices(db, t.admin.actor, oldestFirst, existing + 1)) rows += slice.length;
    expect(rows).toBe(existing + 1);
    expect((await t.request('GET', '/api/v1/payments?pageSize=5')).statusCode).toBe(200);
  });
});
