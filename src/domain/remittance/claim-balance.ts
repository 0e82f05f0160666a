import { formatCents, type Cents } from '../money.ts';

interface Amounts {
  chargeCents: Cents;
  paidCents: Cents;
  adjustments: ReadonlyArray<{ amountCents: Cents }>;
}

export interface ClaimBalance {
  balanced: boolean;
  /** CLP03 − ΣCAS (claim and lines) − CLP04. */
  claimOffCents: Cents;
  /** Per service line, in order: SVC02 − ΣCAS − SVC03. */
  lineOffCents: Cents[];
  /** What is off, in dollars, for an exception's reason; null when it balances. */
  message: string | null;
}

const sumAdjustments = (a: Amounts) => a.adjustments.reduce((s, x) => s + x.amountCents, 0);

/**
 * The X12 835 balancing rules (5010 TR3, section 1.10.2): per service line
 * SVC02 − ΣCAS = SVC03, and per claim CLP03 − ΣCAS (claim and line level) =
 * CLP04. A claim that breaks either is not posted.
 */
export function checkClaimBalance(claim: Amounts & { serviceLines: readonly Amounts[] }): ClaimBalance {
  const lineOffCents = claim.serviceLines.map((line) => line.chargeCents - sumAdjustments(line) - line.paidCents);
  const allCas = sumAdjustments(claim) + claim.serviceLines.reduce((s, line) => s + sumAdjustments(line), 0);
  const claimOffCents = claim.chargeCents - allCas - claim.paidCents;
  const parts: string[] = [];
  if (claimOffCents !== 0) {
    parts.push(`the claim does not balance by ${formatCents(claimOffCents)} (charge ${formatCents(claim.chargeCents)} − adjustments ${formatCents(allCas)} ≠ paid ${formatCents(claim.paidCents)})`);
  }
  lineOffCents.forEach((off, i) => {
    if (off !== 0) parts.push(`service line ${i + 1} does not balance by ${formatCents(off)}`);
  });
  return { balanced: parts.length === 0, claimOffCents, lineOffCents, message: parts.length === 0 ? null : capitalise(parts.join('; ')) };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}
