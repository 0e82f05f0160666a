import { describe, expect, it } from 'vitest';
import { billingView } from './billing-view.ts';
import { sniffDocumentType, acceptedDocumentTypes } from './document-type.ts';
import { isOverdue } from './overdue.ts';

const paid = { number: 7, status: 'paid' as const, amountCents: 10_000, refundedCents: 2_500, appliedCents: 6_000, checkNumber: null };

describe('a payment as billing sees it (SPEC section 4)', () => {
  it('net = amount − refunded for collected payments; unapplied = net − applied', () => {
    expect(billingView(paid)).toEqual({ netAmountCents: 7_500, reference: 'PAY-007', appliedCents: 6_000, unappliedCents: 1_500, overApplied: false });
    expect(billingView({ ...paid, status: 'disputed' }).netAmountCents).toBe(7_500);
  });

  it('a payment not collected nets nothing', () => {
    expect(billingView({ ...paid, status: 'pending', appliedCents: 0 })).toMatchObject({ netAmountCents: 0, unappliedCents: 0, overApplied: false });
  });

  it('over-applied when applications exceed what is left after refunds; exactly applied is not', () => {
    expect(billingView({ ...paid, appliedCents: 7_501 })).toMatchObject({ unappliedCents: -1, overApplied: true });
    expect(billingView({ ...paid, appliedCents: 7_500 })).toMatchObject({ unappliedCents: 0, overApplied: false });
  });

  it('the reference: Refunded, else the check number, else the payment number', () => {
    expect(billingView({ ...paid, status: 'refunded', refundedCents: 10_000, appliedCents: 0, checkNumber: '1001' }).reference).toBe('Refunded');
    expect(billingView({ ...paid, checkNumber: '1001' }).reference).toBe('1001');
  });
});

describe('overdue', () => {
  it('only strictly past due and still awaited', () => {
    for (const status of ['draft', 'pending', 'processing', 'failed']) expect(isOverdue(status, '2026-01-01', '2026-01-02')).toBe(true);
    for (const status of ['paid', 'cancelled', 'voided', 'refunded']) expect(isOverdue(status, '2026-01-01', '2026-01-02')).toBe(false);
    expect(isOverdue('pending', '2026-01-02', '2026-01-02')).toBe(false);
    expect(isOverdue('pending', null, '2026-01-02')).toBe(false);
  });
});

describe('document types by their first bytes', () => {
  it('PDF, PNG and JPEG; anything else is refused', () => {
    expect(acceptedDocumentTypes).toEqual(['application/pdf', 'image/png', 'image/jpeg']);
    expect(sniffDocumentType(new TextEncoder().encode('%PDF-1.7'))).toBe('application/pdf');
    expect(sniffDocumentType(new TextEncoder().encode('%PDF 1.7'))).toBeUndefined();
    expect(sniffDocumentType(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('image/png');
    expect(sniffDocumentType(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0b]))).toBeUndefined();
    expect(sniffDocumentType(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffDocumentType(Uint8Array.from([0xff, 0xd8]))).toBeUndefined();
    expect(sniffDocumentType(new Uint8Array())).toBeUndefined();
  });
});
