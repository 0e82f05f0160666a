import { describe, expect, it } from 'vitest';
import { makePatient, makePayment } from './helpers/factories.ts';
import { statementsOf } from './helpers/statement-counter.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp } from './helpers/test-app.ts';

/**
 * Issue 12: the payments list is what other clients read while an export streams, and each statement is a pool
 * checkout and a round trip on PostgreSQL. A page with its cursor is the token, the page's ids, the total and the
 * page's rows; the rows' statement brings the practice's time zone ("today") and the sort's stored value (the
 * cursor), so neither has a statement of its own.
 */
describe.each(dialects)('statements per payments list page on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('a page and the next by its cursor: four statements each, the cursor from the rows already read', async () => {
    const patient = await makePatient(t, t.admin, { firstName: 'Cora', lastName: 'Page' });
    for (const amountCents of [1100, 2200, 3300]) await makePayment(t, patient.id, { amountCents, dueDate: '2026-05-01' });
    // The token's "last used" write happens once a minute: done here, outside the counts.
    json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200);

    for (const sort of ['amount', 'dueDate', 'patientName', 'createdAt']) {
      const first = await statementsOf(dialect, () => t.request('GET', `/api/v1/payments?sort=${sort}&order=asc&pageSize=2`));
      const page = json(first.result, 200);
      expect(page.items, sort).toHaveLength(2);
      expect(page.nextCursor, sort).toEqual(expect.any(String));
      const next = await statementsOf(dialect, () => t.request('GET', `/api/v1/payments?sort=${sort}&order=asc&pageSize=2&cursor=${page.nextCursor}`));
      const rest = json(next.result, 200);
      // The cursor made from the page's rows reaches exactly the row after them.
      expect([...page.items, ...rest.items].map((p: any) => p.amountCents).sort(), sort).toEqual([1100, 2200, 3300]);
      expect(rest.nextCursor, sort).toBeNull();
      for (const { statements } of [first, next]) {
        const reads = statements.filter((s) => !/^(begin|commit|savepoint|release)/i.test(s));
        expect(reads, statements.join('\n')).toHaveLength(4);
        // The time zone comes with the rows, not by a read of its own.
        expect(reads.filter((s) => /^select "time_zone" from "practices"/.test(s)), statements.join('\n')).toEqual([]);
      }
    }
    // "today" still comes with the rows: a pending payment due on 2026-05-01 is overdue (the tests run after it).
    const due = json(await t.request('GET', `/api/v1/payments?sort=amount&order=asc&pageSize=1`), 200).items[0];
    expect(due).toMatchObject({ amountCents: 1100, dueDate: '2026-05-01', overdue: true });
  });
});
