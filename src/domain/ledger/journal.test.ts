import { describe, expect, it } from 'vitest';
import { accounts, assertBalanced, journalKinds } from './journal.ts';

describe('journal entries', () => {
  it('the chart of accounts and the entry kinds are distinct, non-empty snake_case names', () => {
    for (const names of [accounts, journalKinds]) {
      expect(new Set(names).size).toBe(names.length);
      for (const name of names) expect(name).toMatch(/^[a-z]+(_[a-z]+)*$/);
    }
    expect(accounts).toContain('cash_clearing');
    expect(accounts).toContain('provider_adjustment');
    expect(accounts).toContain('remittance_suspense');
  });

  it('a balanced entry has two or more non-zero integer lines summing to zero', () => {
    expect(() => assertBalanced([{ account: 'cash_clearing', amountCents: 500 }, { account: 'patient_unapplied', amountCents: -500 }])).not.toThrow();
    expect(() =>
      assertBalanced([
        { account: 'cash_clearing', amountCents: 500 },
        { account: 'patient_unapplied', amountCents: -300 },
        { account: 'patient_credit', amountCents: -200 },
      ]),
    ).not.toThrow();
  });

  it('refuses fewer than two lines, a zero or fractional line, and an entry off by a cent', () => {
    expect(() => assertBalanced([])).toThrow('a journal entry needs at least two lines');
    expect(() => assertBalanced([{ account: 'cash_clearing', amountCents: 0 }])).toThrow('a journal entry needs at least two lines');
    expect(() => assertBalanced([{ account: 'cash_clearing', amountCents: 0 }, { account: 'patient_unapplied', amountCents: 0 }])).toThrow(
      'journal line amount must be a non-zero integer of cents: 0',
    );
    expect(() => assertBalanced([{ account: 'cash_clearing', amountCents: 0.5 }, { account: 'patient_unapplied', amountCents: -0.5 }])).toThrow(
      'journal line amount must be a non-zero integer of cents: 0.5',
    );
    expect(() => assertBalanced([{ account: 'cash_clearing', amountCents: 500 }, { account: 'patient_unapplied', amountCents: -499 }])).toThrow(
      'journal entry does not balance: off by 1 cents',
    );
  });
});
