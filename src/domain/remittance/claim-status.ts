/**
 * CLP02 claim status codes: the one table of what each means (SPEC section 6).
 * The X12 reader validates CLP02 against it and posting decides from it.
 * The first ten are the 5010 list; the rest only occur in 4010 files, which
 * we still read but never post automatically.
 */
export const CLAIM_STATUS_CODES = [
  '1', '2', '3', '4', '19', '20', '21', '22', '23', '25',
  '5', '10', '13', '15', '16', '17', '27',
] as const;
export type ClaimStatus835 = (typeof CLAIM_STATUS_CODES)[number];

export type ClaimStatusKind = 'processed' | 'denied' | 'reversal' | 'not_ours' | 'pended' | 'predetermination';

export interface ClaimStatusInfo {
  kind: ClaimStatusKind;
  /** For processed claims: the payer's place in coordination of benefits (1 primary, 2 secondary, 3 tertiary). */
  payerOrder: 1 | 2 | 3 | null;
  /** The payer sent the claim on to the next payer itself (19/20/21/23). */
  forwarded: boolean;
  /** Whether posting acts on it (processed, denied, reversal, not ours); the others go to a biller. */
  postable: boolean;
  description: string;
}

const INFO: Record<ClaimStatus835, ClaimStatusInfo> = {
  '1': { kind: 'processed', payerOrder: 1, forwarded: false, postable: true, description: 'Processed as primary' },
  '2': { kind: 'processed', payerOrder: 2, forwarded: false, postable: true, description: 'Processed as secondary' },
  '3': { kind: 'processed', payerOrder: 3, forwarded: false, postable: true, description: 'Processed as tertiary' },
  '4': { kind: 'denied', payerOrder: null, forwarded: false, postable: true, description: 'Denied' },
  '19': { kind: 'processed', payerOrder: 1, forwarded: true, postable: true, description: 'Processed as primary, forwarded to additional payer(s)' },
  '20': { kind: 'processed', payerOrder: 2, forwarded: true, postable: true, description: 'Processed as secondary, forwarded to additional payer(s)' },
  '21': { kind: 'processed', payerOrder: 3, forwarded: true, postable: true, description: 'Processed as tertiary, forwarded to additional payer(s)' },
  '22': { kind: 'reversal', payerOrder: null, forwarded: false, postable: true, description: 'Reversal of previous payment' },
  '23': { kind: 'not_ours', payerOrder: null, forwarded: true, postable: true, description: 'Not our claim, forwarded to additional payer(s)' },
  '25': { kind: 'predetermination', payerOrder: null, forwarded: false, postable: false, description: 'Predetermination pricing only, no payment' },
  '5': { kind: 'pended', payerOrder: null, forwarded: false, postable: false, description: 'Pended (4010)' },
  '10': { kind: 'pended', payerOrder: null, forwarded: false, postable: false, description: 'Received, but not in process (4010)' },
  '13': { kind: 'pended', payerOrder: null, forwarded: false, postable: false, description: 'Suspended (4010)' },
  '15': { kind: 'pended', payerOrder: null, forwarded: false, postable: false, description: 'Suspended, investigation with field (4010)' },
  '16': { kind: 'pended', payerOrder: null, forwarded: false, postable: false, description: 'Suspended, return with material (4010)' },
  '17': { kind: 'pended', payerOrder: null, forwarded: false, postable: false, description: 'Suspended, review pending (4010)' },
  '27': { kind: 'pended', payerOrder: null, forwarded: false, postable: false, description: 'Reviewed (4010)' },
};

const KNOWN: ReadonlySet<string> = new Set(CLAIM_STATUS_CODES);

export function isClaimStatus835(code: string): code is ClaimStatus835 {
  return KNOWN.has(code);
}

/** What a CLP02 code means for posting. */
export function describeClaimStatus(code: ClaimStatus835): ClaimStatusInfo {
  return INFO[code];
}

/** The codes posting acts on: 1/2/3, 19/20/21, 4, 22, 23. */
export const POSTABLE_CLAIM_STATUS_CODES = CLAIM_STATUS_CODES.filter((code) => INFO[code].postable);
