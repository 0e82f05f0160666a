import { beforeAll, describe, expect, it } from 'vitest';
import { makeLocation, makePatient, makePayment } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp } from './helpers/test-app.ts';

describe.each(dialects)('payments list and dashboard on %s', (dialect) => {
  const t = useTestApp(dialect);
  const made: Record<string, any> = {};
  let north: any;
  let south: any;

  beforeAll(async () => {
    north = await makeLocation(t, t.admin, 'North');
    south = await makeLocation(t, t.admin, 'South');
    const zoe = await makePatient(t, t.admin, { firstName: 'Zoe', lastName: 'Adams' });
    const amir = await makePatient(t, t.admin, { firstName: 'Amir', lastName: 'Zeller' });
    const mary = await makePatient(t, t.admin, { firstName: 'Mary', lastName: "O'Neil" });
    made.a = await makePayment(t, zoe.id, { amountCents: 3000, locationId: north.id, dueDate: '2026-05-01', status: 'paid', paidDate: '2026-10-03' });
    made.b = await makePayment(t, amir.id, { amountCents: 1000, locationId: south.id, dueDate: '2026-01-15' });
    made.c = await makePayment(t, mary.id, { amountCents: 2000, locationId: north.id, status: 'draft' });
    made.d = await makePayment(t, zoe.id, { amountCents: 4000, locationId: south.id, dueDate: '2026-03-01', status: 'paid', paidDate: '2026-09-20' });
    made.e = await makePayment(t, amir.id, { amountCents: 500, locationId: north.id });
    json(await t.request('POST', `/api/v1/payments/${made.e.id}/status`, { body: { status: 'processing' } }), 200);
    // Another practice's payments never appear.
    const stranger = await makePatient(t, t.otherAdmin, { firstName: 'Zoe', lastName: 'Adams' });
    await makePayment(t, stranger.id, { amountCents: 99900, status: 'paid' }, t.otherAdmin);
  });

  async function list(query: string) {
    return json(await t.request('GET', `/api/v1/payments?${query}`), 200);
  }
  const numbers = (page: any) => page.items.map((p: any) => p.number);

  it('filters by several statuses and by location', async () => {
    expect(numbers(await list('status=paid,draft&sort=amount&order=asc'))).toEqual([made.c.number, made.a.number, made.d.number]);
    expect(numbers(await list(`locationId=${north.id}&sort=amount&order=asc`))).toEqual([made.e.number, made.c.number, made.a.number]);
    expect(numbers(await list(`locationId=${north.id}&status=paid`))).toEqual([made.a.number]);
  });

  it('refuses an unknown status with problem+json', async () => {
    const response = await t.request('GET', '/api/v1/payments?status=paid,bogus');
    expect(json(response, 400).detail).toContain('bogus');
  });

  it.each([
    ['amount', 'asc', ['e', 'b', 'c', 'a', 'd']],
    ['amount', 'desc', ['d', 'a', 'c', 'b', 'e']],
    ['createdAt', 'asc', ['a', 'b', 'c', 'd', 'e']],
    ['createdAt', 'desc', ['e', 'd', 'c', 'b', 'a']],
    ['patientName', 'asc', ['a', 'd', 'c', 'b', 'e']],
    ['patientName', 'desc', ['e', 'b', 'c', 'd', 'a']],
    ['status', 'asc', ['c', 'a', 'd', 'b', 'e']],
    ['status', 'desc', ['e', 'b', 'd', 'a', 'c']],
  ])('sorts by %s %s', async (sort, order, keys) => {
    expect(numbers(await list(`sort=${sort}&order=${order}`))).toEqual(keys.map((k) => made[k].number));
  });

  it('sorts by due date both ways, payments without one after the dated ones (before them descending), on both databases', async () => {
    const asc = numbers(await list('sort=dueDate&order=asc'));
    expect(asc).toEqual([made.b.number, made.d.number, made.a.number, made.c.number, made.e.number]);
    const desc = numbers(await list('sort=dueDate&order=desc'));
    expect(desc).toEqual([...asc].reverse());
  });

  it('searches by payment number or patient name, case-insensitive and partial', async () => {
    expect(numbers(await list(`search=${made.c.number}`))).toEqual([made.c.number]);
    expect(numbers(await list(`search=${made.c.number.toLowerCase()}`))).toEqual([made.c.number]);
    expect(numbers(await list('search=ZOE&sort=amount'))).toEqual([made.d.number, made.a.number]);
    expect(numbers(await list('search=zel&sort=amount'))).toEqual([made.b.number, made.e.number]);
    expect(numbers(await list("search=o'ne"))).toEqual([made.c.number]);
    expect(numbers(await list('search=adams zoe&sort=amount'))).toEqual([made.d.number, made.a.number]);
    expect((await list('search=100%25')).total).toBe(0);
  });

  it('pages with a total', async () => {
    const page1 = await list('sort=amount&order=asc&pageSize=2&page=1');
    const page3 = await list('sort=amount&order=asc&pageSize=2&page=3');
    expect(page1).toMatchObject({ total: 5, page: 1, pageSize: 2 });
    expect(numbers(page1)).toEqual([made.e.number, made.b.number]);
    expect(numbers(page3)).toEqual([made.d.number]);
  });

  it('pages by an opaque keyset cursor in every keyset order, matching the numbered pages, with exact totals', async () => {
    for (const [sort, order] of [['createdAt', 'desc'], ['amount', 'asc'], ['amount', 'desc'], ['status', 'asc'], ['patientName', 'desc'], ['patientName', 'asc'], ['dueDate', 'asc'], ['dueDate', 'desc']]) {
      for (const filter of ['', '&status=paid,pending,draft,processing', `&locationId=${north.id}`]) {
        const base = `sort=${sort}&order=${order}${filter}`;
        const whole = await list(`${base}&pageSize=100`);
        expect(whole.nextCursor).toBeNull();
        const seen: string[] = [];
        let page = await list(`${base}&pageSize=2`);
        for (let n = 1; ; n++) {
          // The cursor's page is the numbered page: same rows, same total.
          expect(numbers(page)).toEqual(numbers(await list(`${base}&pageSize=2&page=${n}`)));
          expect(page.total).toBe(whole.total);
          seen.push(...numbers(page));
          if (!page.nextCursor) break;
          page = await list(`${base}&pageSize=2&cursor=${page.nextCursor}`);
        }
        expect(seen).toEqual(numbers(whole));
        expect(whole.total).toBe(whole.items.length);
      }
    }
    // Ties on the sort value are broken by number: payments of one amount never repeat or go missing across pages
    // (in the other practice, so this file's counts stay as they are).
    const other = async (query: string) => json(await t.request('GET', `/api/v1/payments?${query}`, { as: t.otherAdmin }), 200);
    const stranger = await makePatient(t, t.otherAdmin, { firstName: 'Tia', lastName: 'Twin' });
    const twins = [];
    for (let i = 0; i < 3; i++) twins.push(await makePayment(t, stranger.id, { amountCents: 777 }, t.otherAdmin));
    const first = await other('sort=amount&order=asc&pageSize=2');
    const second = await other(`sort=amount&order=asc&pageSize=2&cursor=${first.nextCursor}`);
    // A full last page still has a cursor; what follows it is empty, without one.
    expect(await other(`sort=amount&order=asc&pageSize=2&cursor=${second.nextCursor}`)).toMatchObject({ items: [], total: 4, nextCursor: null });
    expect([...numbers(first), ...numbers(second)]).toEqual(twins.map((p) => p.number).concat(numbers(await other('sort=amount&order=asc&pageSize=1&page=4'))));
    expect(second.total).toBe(4);
    // A cursor of another order, or not a cursor at all, is refused.
    for (const bad of [`sort=amount&order=desc&cursor=${first.nextCursor}`, 'cursor=not-a-cursor', `sort=createdAt&cursor=${first.nextCursor}`]) {
      const response = await t.request('GET', `/api/v1/payments?${bad}`);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(json(response, 400).code).toBe('validation_failed');
    }
    expect((await list('sort=dueDate&pageSize=2')).nextCursor).toEqual(expect.any(String));
  });

  it('answers a page past the end as the last page, saying which', async () => {
    const past = await list('sort=amount&order=asc&pageSize=2&page=99');
    expect(past).toMatchObject({ total: 5, page: 3, pageSize: 2 });
    expect(numbers(past)).toEqual([made.d.number]);
    // Nothing matches: page 1, empty.
    expect(await list('search=nobody-at-all&page=7')).toMatchObject({ items: [], total: 0, page: 1 });
    const patients = json(await t.request('GET', '/api/v1/patients?pageSize=2&page=50'), 200);
    expect(patients).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(patients.items).toHaveLength(1);
  });

  it('exports the current filter as CSV', async () => {
    const response = await t.request('GET', '/api/v1/payments/export.csv?status=paid&sort=amount&order=asc');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/csv');
    const lines = response.body.trim().split('\r\n');
    expect(lines[0]).toBe('number,status,patient,location,amount,refunded,applied,unapplied,type,method,checkNumber,dueDate,paidDate,createdDate,memo');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([made.a.number, made.d.number]);
  });

  it('sums the dashboard, per location too', async () => {
    const all = json(await t.request('GET', '/api/v1/dashboard'), 200);
    expect(all.totalCollectedCents).toBe(7000);
    expect(all.outstandingCents).toBe(1000 + 2000 + 500);
    expect(all.byStatus).toMatchObject({ paid: 2, pending: 1, draft: 1, processing: 1, refunded: 0 });
    expect(all.monthly).toHaveLength(12);
    const months = Object.fromEntries(all.monthly.map((m: any) => [m.month, m.collectedCents]));
    expect(months['2026-10']).toBe(3000);
    expect(months['2026-09']).toBe(4000);
    const northOnly = json(await t.request('GET', `/api/v1/dashboard?locationId=${north.id}`), 200);
    expect(northOnly).toMatchObject({ totalCollectedCents: 3000, outstandingCents: 2500 });
  });
});

describe.each(dialects)('payment-number prefix search on %s', (dialect) => {
  const t = useTestApp(dialect);
  const byNumber = (n: number) => `PAY-${String(n).padStart(3, '0')}`;

  beforeAll(async () => {
    const patient = await makePatient(t, t.admin, { firstName: 'Payne', lastName: 'Quill' });
    // PAY-001 … PAY-052: enough to tell PAY-004 from PAY-040…049.
    for (let i = 1; i <= 52; i++) await makePayment(t, patient.id, { amountCents: 100 * i });
    // Another practice's numbers never appear.
    const stranger = await makePatient(t, t.otherAdmin, { firstName: 'Zoe', lastName: 'Adams' });
    await makePayment(t, stranger.id, { amountCents: 100 }, t.otherAdmin);
  });

  async function search(text: string) {
    const page = json(await t.request('GET', `/api/v1/payments?search=${encodeURIComponent(text)}&sort=amount&order=asc&pageSize=100`), 200);
    expect(page.total).toBe(page.items.length);
    return page.items.map((p: any) => p.number);
  }
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => byNumber(from + i));

  it('matches a prefix of the shown number, not an exact number', async () => {
    expect(await search('PAY-04')).toEqual(range(40, 49));
    expect(await search('pay-04')).toEqual(range(40, 49));
    expect(await search('PAY-0')).toEqual(range(1, 52));
    expect(await search('PAY-00')).toEqual(range(1, 9));
    expect(await search('PAY-004')).toEqual([byNumber(4)]);
    expect(await search('PAY-05')).toEqual(range(50, 52));
    expect(await search('PAY-1')).toEqual([]);
    expect(await search('PAY-0521')).toEqual([]);
  });

  it('"pay" and "PAY-" find every payment; bare digits find the number too', async () => {
    expect(await search('pay')).toEqual(range(1, 52));
    expect(await search('PAY-')).toEqual(range(1, 52));
    expect(await search('12')).toEqual([byNumber(12)]);
    expect(await search('4')).toEqual([byNumber(4), ...range(40, 49)]);
  });

  it('still searches names when the text is not a number', async () => {
    expect((await search('payne')).length).toBe(52);
    expect(await search('paz')).toEqual([]);
  });
});
