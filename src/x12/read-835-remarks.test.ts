import { describe, expect, it } from 'vitest';
import { build835 } from './build-835.ts';
import { read835Text } from './index.ts';

describe('RARC remark codes', () => {
  it('keeps MOA, MIA and LQ*HE remarks on the claim, each once, and passes over LQ*RX', () => {
    const era = build835([{ payerName: 'ACME', payerId: '1', traceNumber: 'T1', paymentDate: '2026-03-20', claims: [{ controlNumber: 'C1', status: '4', chargeCents: 1000, paidCents: 0, adjustments: [{ group: 'CO', reason: '50', amountCents: 1000 }], remarks: ['N130', 'M15'] }] }])
      .replace('MOA***N130*M15~', 'MOA***N130*M15~\nMIA*0***0*MA130~\nLQ*HE*N130~\nLQ*RX*99~');
    const [set] = read835Text(era).transactions;
    expect(set!.claims[0]!.remarkCodes).toEqual(['N130', 'M15', 'MA130']);
  });
});
