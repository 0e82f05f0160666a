import { beforeAll, describe, expect, it } from 'vitest';
import { makePatient, makePayment } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp } from './helpers/test-app.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import * as migration0027 from '../src/db/migrations/0027-payment-name-search.ts';
import * as migration0032 from '../src/db/migrations/0032-list-counts.ts';
import { fillListCounts } from '../src/db/migrations/0032-list-counts.ts';

/**
 * The payments list's name search through the trigram name dictionary (migration 0027, ADR 0030) answers
 * exactly what the plain substring match answered before: every word (split at spaces and commas) a
 * substring of the stored lower-cased "last, first" — no accent folding, case folded as JavaScript
 * lower-cases. Another practice's payments never appear. Searches and the due-date sort page by cursor.
 */
describe.each(dialects)('payment name search on %s', (dialect) => {
  const t = useTestApp(dialect);
  const names: Array<[string, string]> = [
    ['Zoë', 'Ångström'],
    ['José', 'Smith'],
    ['Jo', 'Smithers'],
    ['ANNA', 'MÜLLER'],
    ['Kim', 'Lee'],
    ['Mary', 'Smith-Jones'],
    ['Şule', 'Ōno'],
    ['Ann_Marie', "d'Arcy"],
    ['Wei', '王'],
    ['Renée', 'Dubois'],
  ];
  /** number → the name as the old search saw it (payments.patient_name). */
  const stored = new Map<string, string>();

  beforeAll(async () => {
    for (const [firstName, lastName] of names) {
      const patient = await makePatient(t, t.admin, { firstName, lastName });
      for (let i = 0; i < 2; i++) {
        const payment = await makePayment(t, patient.id, { amountCents: 1000 + stored.size });
        stored.set(payment.number, `${lastName}, ${firstName}`.toLowerCase());
      }
    }
    // A renamed patient: their payments carry the new name, and the old one matches nothing any more.
    const renamed = await makePatient(t, t.admin, { firstName: 'Olga', lastName: 'Smirnova' });
    const before = await makePayment(t, renamed.id, { amountCents: 700 });
    json(await t.request('PATCH', `/api/v1/patients/${renamed.id}`, { body: { lastName: 'Petrova' } }), 200);
    const after = await makePayment(t, renamed.id, { amountCents: 701 });
    for (const p of [before, after]) stored.set(p.number, 'petrova, olga');
    // The same names in another practice: never in this practice's results.
    for (const [firstName, lastName] of names.slice(0, 4)) {
      const stranger = await makePatient(t, t.otherAdmin, { firstName, lastName });
      await makePayment(t, stranger.id, { amountCents: 9999 }, t.otherAdmin);
    }
  });

  async function search(text: string) {
    const page = json(await t.request('GET', `/api/v1/payments?search=${encodeURIComponent(text)}&pageSize=100`), 200);
    return { numbers: (page.items as Array<{ number: string }>).map((p) => p.number).sort(), total: page.total as number };
  }
  /** The rule of the LIKE search before the dictionary: every word a substring of the stored name. */
  function expected(text: string) {
    const words = text.trim().toLowerCase().split(/[\s,]+/).filter(Boolean);
    return [...stored].filter(([, name]) => words.every((w) => name.includes(w))).map(([n]) => n).sort();
  }

  it('matches every substring of one to four characters exactly as the substring rule does', async () => {
    const texts = new Set<string>();
    for (const name of new Set(stored.values())) {
      const chars = [...name];
      for (let length = 1; length <= 4; length++) {
        for (let i = 0; i + length <= chars.length; i++) texts.add(chars.slice(i, i + length).join(''));
      }
    }
    // Not payment numbers (those search numbers), not bare separators (an empty search).
    const words = [...texts].filter((text) => !/^\d+$/.test(text) && !/^pay-?$/i.test(text) && text.trim().replace(/,/g, ''));
    expect(words.length).toBeGreaterThan(100);
    for (const text of words) {
      const want = expected(text);
      const got = await search(text);
      expect({ text, numbers: got.numbers, total: got.total }).toEqual({ text, numbers: want, total: want.length });
    }
  });

  it('matches upper case, several words, accents as typed, and LIKE wildcards literally', async () => {
    for (const text of ['SMITH', 'Smi', 'smith jo', 'jones, mary', 'ÅNGSTRÖM', 'angstrom', 'zoe', 'zoë', 'MÜL', 'mul', 'renée', 'renee', 'ōno', 'ono', 'şul', 'ann_', 'n_m', 'a%', '%', '_', "d'ar", '王', 'smirnova', 'petrova olga', 'xyz', 'smi ers']) {
      const want = expected(text);
      const got = await search(text);
      expect({ text, numbers: got.numbers, total: got.total }).toEqual({ text, numbers: want, total: want.length });
    }
    expect((await search('smith')).numbers.length).toBeGreaterThan(0);
    expect((await search('smirnova')).total).toBe(0);
  });

  it('still searches payment numbers', async () => {
    const [number] = [...stored.keys()];
    expect((await search(number!)).numbers).toEqual([number]);
  });

  it('pages through a search and the due-date sort by cursor, every row once', async () => {
    const lots = await makePatient(t, t.admin, { firstName: 'Many', lastName: 'Smithfield' });
    for (let i = 0; i < 9; i++) await makePayment(t, lots.id, { amountCents: 500 + (i % 3), ...(i % 2 ? { dueDate: `2026-0${1 + (i % 4)}-1${i}` } : {}) });
    const list = async (query: string) => json(await t.request('GET', `/api/v1/payments?${query}`), 200);
    for (const base of ['search=smi&sort=createdAt&order=desc', 'search=smi&sort=amount&order=asc', 'sort=dueDate&order=asc', 'sort=dueDate&order=desc', 'search=smith&sort=dueDate&order=asc']) {
      const whole = await list(`${base}&pageSize=100`);
      const seen: string[] = [];
      let page = await list(`${base}&pageSize=3`);
      for (let n = 1; ; n++) {
        // After a full last page the cursor's page is empty (a numbered page past the end answers the last page).
        if (page.items.length === 0 && n > 1) break;
        expect([base, n, ...page.items.map((p: any) => p.number)]).toEqual([base, n, ...(await list(`${base}&pageSize=3&page=${n}`)).items.map((p: any) => p.number)]);
        expect(page.total).toBe(whole.total);
        seen.push(...page.items.map((p: any) => p.number));
        if (!page.nextCursor) break;
        page = await list(`${base}&pageSize=3&cursor=${page.nextCursor}`);
      }
      expect(seen).toEqual(whole.items.map((p: any) => p.number));
      expect(new Set(seen).size).toBe(whole.total);
    }
    // Due date ascending: dated payments first, oldest first; then those without one, by number.
    const byDue = (await list('sort=dueDate&order=asc&pageSize=100')).items as Array<{ number: string; dueDate: string | null }>;
    const firstUndated = byDue.findIndex((p) => p.dueDate === null);
    expect(byDue.slice(firstUndated).every((p) => p.dueDate === null)).toBe(true);
    const dated = byDue.slice(0, firstUndated).map((p) => p.dueDate!);
    expect(dated).toEqual([...dated].sort());
  });

  it("lists a search in the order of the whole list, in pages by number and by cursor (PostgreSQL: by each name's range, merged)", async () => {
    const list = async (query: string) => json(await t.request('GET', `/api/v1/payments?${query}`), 200);
    for (const order of ['desc', 'asc']) {
      const whole = ((await list(`sort=createdAt&order=${order}&pageSize=100`)).items as Array<{ number: string }>).map((p) => p.number);
      for (const text of ['smi', 'o', 'an, z']) {
        // Which payments match is tested above; here, their order and paging.
        const matching = new Set((await search(text)).numbers);
        const want = whole.filter((n) => matching.has(n));
        expect(want.length).toBe(matching.size);
        const q = `search=${encodeURIComponent(text)}&sort=createdAt&order=${order}&pageSize=2`;
        const byNumber: string[] = [];
        for (let page = 1; page <= Math.ceil(want.length / 2); page++) byNumber.push(...(await list(`${q}&page=${page}`)).items.map((p: { number: string }) => p.number));
        const byCursor: string[] = [];
        let cursor: string | null = '';
        do {
          const page = await list(`${q}${cursor ? `&cursor=${cursor}` : ''}`);
          byCursor.push(...page.items.map((p: { number: string }) => p.number));
          cursor = page.nextCursor;
        } while (cursor);
        expect([order, text, ...byNumber]).toEqual([order, text, ...want]);
        expect([order, text, ...byCursor]).toEqual([order, text, ...want]);
      }
    }
  });

  it('ledger verify finds the dictionary complete, and reports a name missing from it', async () => {
    const db = t.database.handle.db;
    const practiceId = t.admin.actor.practiceId;
    expect(await verifyLedger(db, { practiceId })).toEqual([]);
    await db.deleteFrom('paymentNames').where('practiceId', '=', practiceId).where('patientName', '=', 'lee, kim').execute();
    expect((await verifyLedger(db, { practiceId })).map((p) => [p.check, p.entity])).toEqual([['payment_names', 'lee, kim']]);
    expect((await search('lee')).total).toBe(0);
    await fillListCounts(db);
    expect(await verifyLedger(db, { practiceId })).toEqual([]);
    expect(await search('lee')).toEqual({ numbers: expected('lee'), total: 2 });
  });

  it('keeps a payment count per name through inserts, renames and deletes; the total is their sum; verify recounts them', async () => {
    const db = t.database.handle.db;
    const practiceId = t.admin.actor.practiceId;
    const counts = async () =>
      Object.fromEntries((await db.selectFrom('paymentNames').select(['patientName', 'payments']).where('practiceId', '=', practiceId).execute()).map((r) => [r.patientName, Number(r.payments)]));
    const patient = await makePatient(t, t.admin, { firstName: 'Ida', lastName: 'Countwell' });
    const payments = [await makePayment(t, patient.id, { amountCents: 300 }), await makePayment(t, patient.id, { amountCents: 301 }), await makePayment(t, patient.id, { amountCents: 302 })];
    for (const p of payments) stored.set(p.number, 'countwell, ida');
    expect((await counts())['countwell, ida']).toBe(3);
    expect(await search('countwell')).toEqual({ numbers: expected('countwell'), total: 3 });
    // A rename moves the count with each payment (the patient's payments carry the new name).
    json(await t.request('PATCH', `/api/v1/patients/${patient.id}`, { body: { lastName: 'Countmore' } }), 200);
    for (const p of payments) stored.set(p.number, 'countmore, ida');
    expect((await counts())['countwell, ida']).toBe(0);
    expect((await counts())['countmore, ida']).toBe(3);
    expect(await search('count')).toEqual({ numbers: expected('count'), total: 3 });
    expect(await search('countwell')).toEqual({ numbers: [], total: 0 });
    // A delete (by hand: the app never deletes a payment) takes one off, in the same statement's transaction.
    const extra = await makePayment(t, patient.id, { amountCents: 303 });
    expect((await counts())['countmore, ida']).toBe(4);
    await db.deleteFrom('payments').where('id', '=', extra.id).execute();
    expect((await counts())['countmore, ida']).toBe(3);
    expect(await verifyLedger(db, { practiceId })).toEqual([]);
    // A drifted count shows in the total and verify reports it; the fill function puts it right.
    await db.updateTable('paymentNames').set({ payments: 5 }).where('practiceId', '=', practiceId).where('patientName', '=', 'countmore, ida').execute();
    expect((await search('countmore')).total).toBe(5);
    expect((await verifyLedger(db, { practiceId })).map((p) => [p.check, p.entity, p.detail])).toEqual([
      ['payment_name_counts', 'countmore, ida', 'kept 5 payments for this name, the payments say 3'],
    ]);
    await fillListCounts(db);
    expect(await search('countmore')).toEqual({ numbers: expected('countmore'), total: 3 });
    expect(await verifyLedger(db, { practiceId })).toEqual([]);
  });

  it('a name search with a status filter still counts its rows', async () => {
    const all = json(await t.request('GET', `/api/v1/payments?search=smi&pageSize=100`), 200);
    const pending = json(await t.request('GET', `/api/v1/payments?search=smi&status=pending&pageSize=100`), 200);
    expect(pending.total).toBe((all.items as Array<{ status: string }>).filter((p) => p.status === 'pending').length);
  });

  it('migrations 0027 and 0032 build the dictionary and its counts from the payments already there, and come down cleanly', async () => {
    const db = t.database.handle.db;
    const before = await search('smi');
    await migration0032.down(db);
    await migration0027.down(db);
    await migration0027.up(db);
    await migration0032.up(db);
    expect(await search('smi')).toEqual(before);
    for (const text of ['lee', 'ō', 'zoë ångström', 'petrova']) {
      const want = expected(text);
      expect((await search(text)).numbers).toEqual(want);
    }
    expect(await verifyLedger(db, { practiceId: t.admin.actor.practiceId })).toEqual([]);
  });
});
