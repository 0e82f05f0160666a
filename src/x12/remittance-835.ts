import type { ClaimStatus835 } from '../domain/remittance/claim-status.ts';
import type { X12Error, X12Issue } from './errors.ts';
import type { SkippedSet } from './transaction-set-walker.ts';

/**
 * The typed model of an X12 835 (health care claim payment/advice) as
 * `read835` returns it. Every amount is integer cents, exactly as the file
 * states it (negative in reversals); every date is 'YYYY-MM-DD' or null.
 */

/** CAS01. CR ("corrections and reversals") only occurs in 4010 files. */
export const ADJUSTMENT_GROUPS = ['CO', 'PR', 'OA', 'PI', 'CR'] as const;
export type AdjustmentGroup835 = (typeof ADJUSTMENT_GROUPS)[number];

/** One reason/amount/quantity triplet of a CAS segment (a CAS holds up to six). */
export interface Adjustment835 {
  group: AdjustmentGroup835;
  /** CARC, e.g. '45', '1', 'A2'. */
  reason: string;
  amountCents: number;
  /** Units adjusted, as written; null when absent. */
  quantity: string | null;
  segmentNumber: number;
}

/** BPR: the payment itself. */
export interface Payment835 {
  /** BPR01: C payment with remittance, D payment only, H notification only, I remittance only, P prenotification, U split, X handling party's option. */
  handlingCode: string;
  /** BPR02 as written (never negative in a valid file). */
  amountCents: number;
  /** BPR03: C credit to the payee, D debit (the payer takes money back). */
  creditDebit: 'C' | 'D';
  /** BPR04: ACH, CHK, FWT, BOP or NON. */
  method: string | null;
  /** BPR05: CCP, CTX… (ACH only). */
  format: string | null;
  /** BPR16: the payment's effective date (or the check date). */
  paymentDate: string | null;
  /** BPR02 signed: negative when BPR03 is D. What the balance check compares. */
  netCents: number;
}

/** TRN: the reassociation trace, i.e. the check or EFT number. */
export interface Trace835 {
  /** TRN01: 1 current transaction trace numbers. */
  type: string;
  /** TRN02: the check or EFT trace number. */
  traceNumber: string;
  /** TRN03: the payer's id ('1' + its tax id, usually). */
  payerId: string | null;
  /** TRN04: originating company supplemental code. */
  supplementalCode: string | null;
}

/** N1*PR (loop 1000A). */
export interface Payer835 {
  name: string;
  /** N104 when present, else REF*2U. */
  id: string | null;
  /** N103 ('XV' CMS plan id, 'PI' payer id…), or '2U' when the id came from REF*2U. */
  idQualifier: string | null;
}

/** N1*PE (loop 1000B). */
export interface Payee835 {
  name: string;
  /** N103: 'XX' NPI, 'FI' federal tax id, 'XV' plan id. */
  idQualifier: string | null;
  /** N104. */
  id: string | null;
  /** N104 when N103 is XX. */
  npi: string | null;
  /** N104 when N103 is FI, else REF*TJ. */
  taxId: string | null;
}

/** An NM1 in a claim (patient QC, insured IL, corrected patient 74, rendering provider 82). */
export interface Person835 {
  /** NM103: last name, or the organisation's name. */
  lastName: string | null;
  firstName: string | null;
  middleName: string | null;
  /** NM108: 'MI' member id, 'HN' HIC number, 'XX' NPI, '34' SSN… */
  idQualifier: string | null;
  /** NM109. */
  id: string | null;
}

/** A composite procedure (SVC01/SVC06), e.g. HC:99213:25. */
export interface Procedure835 {
  /** 'HC' (HCPCS/CPT), 'NU' (revenue code), 'AD', 'ER', 'N4'… */
  qualifier: string;
  code: string;
  /** Up to four modifiers, empty ones left out. */
  modifiers: string[];
  description: string | null;
}

/** SVC (loop 2110). */
export interface ServiceLine835 {
  segmentNumber: number;
  procedure: Procedure835;
  /** SVC02. */
  chargeCents: number;
  /** SVC03. */
  paidCents: number;
  /** SVC04: NUBC revenue code. */
  revenueCode: string | null;
  /** SVC05: units paid; null when absent (the guide then means 1). */
  units: number | null;
  /** SVC06: the procedure as submitted, when the payer changed it. */
  originalProcedure: Procedure835 | null;
  /** SVC07. */
  originalUnits: number | null;
  /** DTM*472 (both), or DTM*150 / DTM*151. */
  serviceDateFrom: string | null;
  serviceDateTo: string | null;
  /** REF*6R: the line item control number we sent. */
  controlNumber: string | null;
  adjustments: Adjustment835[];
}

/** CLP (loop 2100). */
export interface Claim835 {
  segmentNumber: number;
  /** CLP01: our claim's control number; what posting matches on. */
  patientControlNumber: string;
  /** CLP02. See `describeClaimStatus`. */
  status: ClaimStatus835;
  /** CLP03. */
  chargeCents: number;
  /** CLP04. */
  paidCents: number;
  /** CLP05; null when absent. */
  patientResponsibilityCents: number | null;
  /** CLP06: claim filing indicator (12 PPO, 16 HMO Medicare risk, MA, MB, MC…). */
  filingIndicator: string | null;
  /** CLP07: the payer's claim control number. */
  payerClaimControlNumber: string | null;
  /** CLP08: facility type code. */
  facilityCode: string | null;
  /** CLP09: claim frequency code. */
  frequencyCode: string | null;
  patient: Person835 | null;
  insured: Person835 | null;
  correctedPatient: Person835 | null;
  renderingProvider: Person835 | null;
  /** DTM*232 / DTM*233: claim statement period. */
  serviceDateFrom: string | null;
  serviceDateTo: string | null;
  /** DTM*050. */
  receivedDate: string | null;
  /** Claim-level CAS. Line-level CAS are on the service lines. */
  adjustments: Adjustment835[];
  serviceLines: ServiceLine835[];
  /**
   * RARC remark codes: MOA03–07 and MIA05/20–24 (claim level) and LQ*HE
   * (line level), in the order read, each once. Optional: claims built
   * before remarks were read have none.
   */
  remarkCodes?: string[];
  /**
   * Set when the claim breaks a rule (missing amounts, an unknown status, an
   * unreadable CAS or SVC): what was read is kept, the rest of the claim is
   * passed over, and the claim must not be posted as it stands.
   */
  problem: X12Issue | null;
}

/** One reason/amount pair of a PLB. Positive amounts reduce the payment; negative ones (interest) add to it. */
export interface ProviderAdjustment835 {
  segmentNumber: number;
  /** PLB01. */
  providerId: string;
  /** PLB02: end of the provider's fiscal year. */
  fiscalPeriodDate: string | null;
  /** First component of the reason composite: 'WO', 'L6', 'FB', 'CS', '72'… */
  reasonCode: string;
  /** Second component: usually the claim or reference the adjustment is about. */
  referenceId: string | null;
  amountCents: number;
}

export interface Totals835 {
  claimCount: number;
  /** ΣCLP04. */
  claimPaidCents: number;
  /** ΣPLB amounts. */
  providerAdjustmentCents: number;
  claimCountByStatus: Partial<Record<ClaimStatus835, number>>;
}

/** BPR02 must be ΣCLP04 − ΣPLB. A mismatch is a warning (`unbalanced`), never a failure. */
export interface Balance835 {
  balanced: boolean;
  /** BPR02, signed (`Payment835.netCents`). */
  paymentCents: number;
  claimPaidCents: number;
  providerAdjustmentCents: number;
  /** ΣCLP04 − ΣPLB. */
  expectedPaymentCents: number;
  /** paymentCents − expectedPaymentCents. */
  differenceCents: number;
}

/** What is known about a transaction set before its first claim. */
export interface Remittance835Header {
  /** ST02. */
  controlNumber: string;
  /** '005010X221A1', '004010X091A1'… (ST03, else GS08). */
  version: string | null;
  /** Position of the ST in the file. */
  segmentNumber: number;
  interchangeControlNumber: string | null;
  groupControlNumber: string | null;
  payment: Payment835;
  trace: Trace835 | null;
  /** DTM*405. */
  productionDate: string | null;
  payer: Payer835 | null;
  payee: Payee835 | null;
}

/** A whole transaction set except its claims (what `stream835` reports at SE). */
export interface Remittance835Summary extends Remittance835Header {
  providerAdjustments: ProviderAdjustment835[];
  totals: Totals835;
  balance: Balance835;
  /** What the reader noticed but read past: unbalanced totals, a missing TRN, an SVC without amounts… */
  warnings: X12Issue[];
}

export interface Remittance835 extends Remittance835Summary {
  claims: Claim835[];
}

export interface Read835Result {
  /** Every 835 transaction set that was read whole, in file order. */
  transactions: Remittance835[];
  /** Transaction sets of other kinds (999, 277, 271…), not read. */
  skipped: SkippedSet[];
  /** Each failed 835 set (with its ST02 and the segment number) and anything that stopped the file. */
  errors: X12Error[];
  /** File-level warnings: envelope counts and control numbers, missing trailers, a missing ISA. */
  warnings: X12Issue[];
}

/**
 * What `stream835` yields, in file order. Claims come as they are read, before
 * their set is known to be whole: hold them as provisional until the next
 * 'transaction' event (their set, whole). If an 'error' event comes first, the
 * provisional claims belong to a set that failed and must be dropped.
 */
export type Remittance835Event =
  | { type: 'claim'; transaction: Remittance835Header; claim: Claim835 }
  | { type: 'transaction'; transaction: Remittance835Summary }
  | { type: 'skipped'; skipped: SkippedSet }
  | { type: 'error'; error: X12Error }
  | { type: 'warning'; warning: X12Issue };
