import { describe, expect, it } from 'vitest';
import { payerBalance, payerRefunded } from '../ledger/postings.ts';
import { isOverdue, isPayerBalancePlb, overpaymentDeadline, plbPayerBalance, suspensePayerBalance } from './payer-balances.ts';

describe('payer balances', () => {
  it('takes WO, FB, 72, L6 and J1 as payer balances and leaves other PLB codes', () => {
    expect(['WO', 'FB', '72', 'L6', 'J1', ' wo '].map(isPayerBalancePlb)).toEqual([true, true, true, true, true, true]);
    expect(['CS', 'L3', 'AP', '50'].map(isPayerBalancePlb)).toEqual([false, false, false, false]);
  });

  it('reads the PLB sign: withheld is owed by the payer, added is owed to it', () => {
    expect(plbPayerBalance(2500)).toEqual({ direction: 'owed_by_payer', amountCents: 2500 });
    expect(plbPayerBalance(-2500)).toEqual({ direction: 'owed_to_payer', amountCents: 2500 });
    expect(plbPayerBalance(0)).toBeNull();
    expect(suspensePayerBalance(900)).toEqual({ direction: 'owed_to_payer', amountCents: 900 });
    expect(suspensePayerBalance(-900)).toEqual({ direction: 'owed_by_payer', amountCents: 900 });
  });

  it('sets the deadline 60 calendar days after identification, over month and leap-year ends', () => {
    expect(overpaymentDeadline('2026-03-20')).toBe('2026-05-19');
    expect(overpaymentDeadline('2028-01-15')).toBe('2028-03-15');
    expect(overpaymentDeadline('2026-12-15')).toBe('2027-02-13');
  });

  it('flags only open money owed to the payer past its deadline', () => {
    const item = { direction: 'owed_to_payer' as const, deadlineDate: '2026-05-19', settledDate: null };
    expect(isOverdue(item, '2026-05-19')).toBe(false);
    expect(isOverdue(item, '2026-05-20')).toBe(true);
    expect(isOverdue({ ...item, settledDate: '2026-05-01' }, '2026-06-01')).toBe(false);
    expect(isOverdue({ ...item, direction: 'owed_by_payer' }, '2026-06-01')).toBe(false);
  });

  it('books owed-to-payer as a credit on payer_overpayment and owed-by-payer as a debit, never on patient accounts', () => {
    expect(payerBalance({ payerBalanceItemId: 'i1', amountCents: 900, direction: 'owed_to_payer', counterAccount: 'remittance_suspense' })).toEqual({
      kind: 'payer_balance',
      source: { type: 'payer_balance_item', id: 'i1' },
      lines: [
        { account: 'remittance_suspense', amountCents: 900 },
        { account: 'payer_overpayment', amountCents: -900 },
      ],
    });
    expect(payerBalance({ payerBalanceItemId: 'i2', amountCents: 2500, direction: 'owed_by_payer', counterAccount: 'cash_clearing' }).lines).toEqual([
      { account: 'payer_overpayment', amountCents: 2500 },
      { account: 'cash_clearing', amountCents: -2500 },
    ]);
  });

  it('a refund to the payer takes the owed money off payer_overpayment and out of cash', () => {
    expect(payerRefunded({ payerBalanceItemId: 'i1', amountCents: 900 })).toEqual({
      kind: 'payer_balance_settled',
      source: { type: 'payer_balance_item', id: 'i1' },
      lines: [
        { account: 'payer_overpayment', amountCents: 900 },
        { account: 'cash_clearing', amountCents: -900 },
      ],
    });
    expect(() => payerRefunded({ payerBalanceItemId: 'i1', amountCents: 0 })).toThrow();
  });
});

describe('payer balances from nothing (mutation testing, ADR 0023)', () => {
  it('no suspense and no PLB amount make no payer balance', () => {
    expect(suspensePayerBalance(0)).toBeNull();
    expect(plbPayerBalance(0)).toBeNull();
    expect(suspensePayerBalance(-1)).toEqual({ direction: 'owed_by_payer', amountCents: 1 });
    expect(plbPayerBalance(1)).toEqual({ direction: 'owed_by_payer', amountCents: 1 });
  });
});
