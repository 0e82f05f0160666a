import { describe, expect, it } from 'vitest';
import { CLAIM_STATUS_CODES, describeClaimStatus, isClaimStatus835, POSTABLE_CLAIM_STATUS_CODES } from './claim-status.ts';

describe('the one claim-status table (CLP02)', () => {
  it('posting acts on 1/2/3, 4, 19/20/21, 22 and 23 only', () => {
    expect([...POSTABLE_CLAIM_STATUS_CODES].sort()).toEqual(['1', '19', '2', '20', '21', '22', '23', '3', '4']);
  });

  it('each processed code carries its payer order and whether the payer forwarded it', () => {
    const processed = (code: '1' | '2' | '3' | '19' | '20' | '21') => {
      const info = describeClaimStatus(code);
      return [info.kind, info.payerOrder, info.forwarded];
    };
    expect(processed('1')).toEqual(['processed', 1, false]);
    expect(processed('2')).toEqual(['processed', 2, false]);
    expect(processed('3')).toEqual(['processed', 3, false]);
    expect(processed('19')).toEqual(['processed', 1, true]);
    expect(processed('20')).toEqual(['processed', 2, true]);
    expect(processed('21')).toEqual(['processed', 3, true]);
  });

  it('denied, reversal, not ours, predetermination and the 4010 pended codes', () => {
    expect(describeClaimStatus('4')).toMatchObject({ kind: 'denied', payerOrder: null, forwarded: false, postable: true });
    expect(describeClaimStatus('22')).toMatchObject({ kind: 'reversal', payerOrder: null, forwarded: false, postable: true });
    expect(describeClaimStatus('23')).toMatchObject({ kind: 'not_ours', payerOrder: null, forwarded: true, postable: true });
    expect(describeClaimStatus('25')).toMatchObject({ kind: 'predetermination', payerOrder: null, forwarded: false, postable: false });
    for (const code of ['5', '10', '13', '15', '16', '17', '27'] as const) {
      expect(describeClaimStatus(code)).toMatchObject({ kind: 'pended', payerOrder: null, forwarded: false, postable: false });
      expect(describeClaimStatus(code).description).toMatch(/\(4010\)$/);
    }
  });

  it('every code has its own description, and only listed codes are known', () => {
    const descriptions = CLAIM_STATUS_CODES.map((code) => describeClaimStatus(code).description);
    expect(new Set(descriptions).size).toBe(CLAIM_STATUS_CODES.length);
    for (const d of descriptions) expect(d.length).toBeGreaterThan(5);
    expect(describeClaimStatus('1').description).toBe('Processed as primary');
    expect(describeClaimStatus('22').description).toBe('Reversal of previous payment');
    expect(new Set(CLAIM_STATUS_CODES).size).toBe(17);
    for (const code of CLAIM_STATUS_CODES) expect(isClaimStatus835(code)).toBe(true);
    for (const code of ['', '0', '6', '24', '99', '1 ']) expect(isClaimStatus835(code)).toBe(false);
  });
});
