import type { X12Error, X12Issue } from './errors.ts';
import type { SkippedSet } from './transaction-set-walker.ts';

/**
 * The typed model of an X12 271 (eligibility, coverage or benefit response)
 * as `read271` returns it. Money is integer cents; percents are integer basis
 * points (hundredths of a percent: EB08 "0.2" = 20 % = 2000), the unit the
 * estimate works in; dates are 'YYYY-MM-DD'.
 */

/** EB12: Y in network, N out of network, W not applicable (both), U unknown. */
export type NetworkIndicator = 'Y' | 'N' | 'W' | 'U';

/** An NM1: the payer, the provider, the subscriber or dependent, or a benefit's related entity. */
export interface Entity271 {
  /** NM101: PR payer, 1P provider, IL insured/subscriber, 03 dependent, P3 primary care provider… */
  entityCode: string;
  /** NM103: last name or organisation name. */
  lastName: string | null;
  firstName: string | null;
  middleName: string | null;
  /** NM108: MI member id, PI payer id, XX NPI, SV service provider number… */
  idQualifier: string | null;
  id: string | null;
}

/** A DTP. */
export interface Date271 {
  /** DTP01: 291 plan, 346 plan begin, 307 eligibility, 356 eligibility begin… */
  qualifier: string;
  /** DTP02: D8 (one date) or RD8 (a range). */
  format: string;
  /** DTP03 as written. */
  value: string;
  from: string | null;
  to: string | null;
}

/** An AAA: the payer could not answer (all or part of) the request. */
export interface Rejection271 {
  segmentNumber: number;
  /** Which loop the AAA sits in; 'benefit' means after an EB (loop 2110). */
  level: 'source' | 'receiver' | 'subscriber' | 'dependent' | 'benefit';
  /** HL01 of the loop, null before the first HL. */
  hierarchicalId: string | null;
  /** AAA01: Y the request was valid (the answer is still a rejection), N it was not. */
  valid: boolean;
  /** AAA03: 42 unable to respond now, 72 invalid member id, 75 subscriber not found, 50 provider ineligible… */
  reasonCode: string | null;
  /** AAA04: C please correct and resubmit, N resubmission not allowed, R resubmission allowed… */
  followUpAction: string | null;
}

/** An EB with what follows it in loop 2110 (DTP, MSG, the LS/LE entities). */
export interface Benefit271 {
  segmentNumber: number;
  /**
   * EB01: 1 active coverage (2–5 active variants), 6 inactive (7, 8 inactive
   * variants), A coinsurance, B copay, C deductible, G out of pocket (stop
   * loss), D benefit description, F limitations, I non-covered, L primary care
   * provider, R other or additional payer, CB coverage basis…
   */
  code: string;
  /** EB02: IND individual, FAM family, EMP employee only, ESP employee and spouse, CHD children… */
  coverageLevel: string | null;
  /** EB03, repeated: 30 health benefit plan coverage, 98 professional office visit, 1 medical care, 33 chiropractic… */
  serviceTypes: string[];
  /** EB04: insurance type (HM HMO, MA Medicare Part A, MB Part B, QM qualified Medicare beneficiary…). */
  insuranceType: string | null;
  /** EB05: plan coverage description. */
  planDescription: string | null;
  /** EB06: 23 calendar year, 22 service year, 25 contract, 26 episode, 27 visit, 29 remaining, 32 lifetime, 33 lifetime remaining… */
  timePeriod: string | null;
  /** EB07. */
  amountCents: number | null;
  /** EB08 in basis points: "0.2" (20 %) is 2000. */
  percentBasisPoints: number | null;
  /** EB09: quantity qualifier (VS visits, DY days…). */
  quantityQualifier: string | null;
  /** EB10 as written. */
  quantity: string | null;
  /** EB11: Y/N/U. */
  authorizationRequired: string | null;
  /** EB12. */
  inNetwork: NetworkIndicator | null;
  /** EB13: a procedure the benefit is about, e.g. HC:99213. */
  procedure: { qualifier: string; code: string; modifiers: string[] } | null;
  dates: Date271[];
  /** MSG texts. */
  messages: string[];
  /** NM1s between LS*2120 and LE*2120 (a primary care provider, another payer…). */
  relatedEntities: Entity271[];
}

/** A subscriber (HL*22) or dependent (HL*23) loop. */
export interface Member271 {
  level: 'subscriber' | 'dependent';
  /** HL01. */
  hierarchicalId: string;
  /** HL02. */
  parentId: string | null;
  name: Entity271 | null;
  /** DMG02 when DMG01 is D8. */
  birthDate: string | null;
  /** DMG03: M/F/U. */
  gender: string | null;
  /** TRN02 of the first TRN: the trace we sent, echoed. */
  trace: string | null;
  /** DTPs of the member (before its first EB). */
  dates: Date271[];
  benefits: Benefit271[];
}

export interface Eligibility271 {
  /** ST02. */
  controlNumber: string;
  /** '005010X279A1', '004010X092A1'… */
  version: string | null;
  segmentNumber: number;
  interchangeControlNumber: string | null;
  groupControlNumber: string | null;
  /** BHT03: the reference of the request. */
  referenceId: string | null;
  /** BHT04. */
  createdDate: string | null;
  /** The information source (HL*20), normally the payer. */
  source: Entity271 | null;
  /** The information receiver (HL*21), normally the provider. */
  receiver: Entity271 | null;
  members: Member271[];
  /** Every AAA of the set, wherever it sits (`level` says where). */
  rejections: Rejection271[];
  warnings: X12Issue[];
}

export interface Read271Result {
  transactions: Eligibility271[];
  skipped: SkippedSet[];
  errors: X12Error[];
  warnings: X12Issue[];
}
