import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../src/services/actor.ts';
import { seedBulk } from '../src/services/demo/seed-bulk.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { practiceDate } from '../src/services/practices/practice-settings.ts';
import { importRemittance } from '../src/services/remittance/import-remittance.ts';
import { addCalendarDays } from '../src/domain/refund-review/add-calendar-days.ts';
import { generate835 } from '../src/x12/generate-835.ts';
import { statementsOf } from './helpers/statement-counter.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';

/**
 * Issue 12 / ADR 0037: an 835's transaction set reads what its claims need
 * set-wise (claims by control number, the patients' coverages) and writes its
 * claim records, journal, audit and outbox rows as multi-row inserts at the
 * set's end. The counts are deterministic (the same generated file over the
 * same seed); statements per claim that grow again should say why, here and
 * in the ADR.
 */
const claims = 60;
const perSet = 20;
const sets = claims / perSet;
/** Statements per claim, the file's whole import included (11.1 on SQLite, 11.0 on PostgreSQL here; before ADR 0037 21.9 and 20.1). */
const perClaim = { sqlite: 12, postgres: 12 };

describe.each(dialects)('statements per claim of an 835 import on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => database?.drop());

  it('posts processed, denied, reversed and corrected claims with a bounded, set-wise number of statements, verify clean', async () => {
    const db = database.handle.db;
    const { id: practiceId } = await createPractice(db, { slug: 'counted', name: 'Counted' });
    const actor: Actor = { practiceId, kind: 'system', id: 'test', name: 'Test', role: 'admin' };
    // Every patient with money paid and unapplied, so postings apply funds as they settle.
    await seedBulk(db, actor, { patients: claims, payments: claims * 10, claims, dialect });
    const paid = addCalendarDays(await practiceDate(db, practiceId), -60).replaceAll('-', '');
    const file = generate835({ seed: 835, claims, claimsPerTransaction: perSet, paymentDate: paid });

    const { result, statements } = await statementsOf(dialect, () => importRemittance(db, actor, file.text));
    expect(result.claimCount).toBe(claims);
    expect(result.postedCount + result.exceptionCount).toBe(claims);
    expect(result.postedCount).toBeGreaterThan(claims / 2);
    expect(result.claims.some((c) => c.outcome === 'reversal')).toBe(true);
    expect(result.claims.some((c) => c.outcome === 'denied')).toBe(true);
    expect(await verifyLedger(db, { practiceId })).toEqual([]);

    const count = (pattern: RegExp) => statements.filter((s) => pattern.test(s)).length;
    // Claims are read for the whole set, once; only a CLP whose claim an earlier CLP of its set touched reads it again.
    const repeats = result.claims.length - new Set(result.claims.map((c) => c.patientControlNumber)).size;
    expect(repeats).toBeGreaterThan(0);
    expect(count(/^select .* from "claims" where "practice_id" = (\?|\$1) and "control_number" in /)).toBe(sets);
    expect(count(/^select .* from "claims" where "practice_id" = (\?|\$1) and "control_number" = /)).toBeLessThanOrEqual(repeats);
    expect(count(/from "coverages"/)).toBe(sets);
    // The set's audit, outbox and journal rows: one multi-row insert per table and set.
    for (const table of ['audit_events', 'outbox_events', 'journal_entries', 'journal_lines']) {
      expect(count(new RegExp(`^insert into "${table}"`)), table).toBe(sets);
    }
    // Claim records too, but for the reads of a reversal or a claim met again, which write them out first.
    expect(count(/^insert into "remittance_claims"/)).toBeLessThanOrEqual(sets + repeats);
    // A posting's own steps (its applications) join the claim's savepoint instead of taking one each.
    // (SQLite's group commit takes one more per transaction.)
    expect(count(/^savepoint "sp_/i)).toBeLessThanOrEqual(claims + sets);
    expect(statements.length / claims, statements.join('\n')).toBeLessThanOrEqual(perClaim[dialect]);
  }, 120_000);
});
