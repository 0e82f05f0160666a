/**
 * Our X12 reader (see docs/decisions/0003-x12-reader.md). Import from here:
 *
 *   const { transactions, skipped, errors, warnings } = await read835(fs.createReadStream(path));
 *   for (const remittance of transactions) for (const claim of remittance.claims) { … }
 *
 * Bad data never throws: it comes back in `errors` (a failed transaction set,
 * with its ST02, segment number and what was expected) and `warnings`.
 */
export { read835, read835Text, stream835 } from './read-835.ts';
export type {
  Adjustment835,
  AdjustmentGroup835,
  Balance835,
  Claim835,
  Payee835,
  Payer835,
  Payment835,
  Person835,
  Procedure835,
  ProviderAdjustment835,
  Read835Result,
  Remittance835,
  Remittance835Event,
  Remittance835Header,
  Remittance835Summary,
  ServiceLine835,
  Totals835,
  Trace835,
} from './remittance-835.ts';
export { ADJUSTMENT_GROUPS } from './remittance-835.ts';
// The claim-status table lives in the domain (one home); the reader re-exports it.
export { CLAIM_STATUS_CODES, describeClaimStatus, isClaimStatus835 } from '../domain/remittance/claim-status.ts';
export type { ClaimStatus835, ClaimStatusInfo, ClaimStatusKind } from '../domain/remittance/claim-status.ts';

export { read271, read271Text } from './read-271.ts';
export type { Benefit271, Date271, Eligibility271, Entity271, Member271, NetworkIndicator, Read271Result, Rejection271 } from './eligibility-271.ts';
export { summarizeEligibility } from './summarize-eligibility.ts';
export type { EligibilitySummary, SummarizeEligibilityOptions } from './summarize-eligibility.ts';

export { X12Error } from './errors.ts';
export type { X12ErrorCode, X12Issue } from './errors.ts';
export { parseCents, parseDecimal } from './parse-decimal.ts';
export { readSegments, tokenizeX12, X12Tokenizer } from './tokenizer.ts';
export type { X12Delimiters, X12Segment, X12Source } from './tokenizer.ts';
export type { SkippedSet } from './transaction-set-walker.ts';

export { DELIMITER_PROFILES, generate835, generate835Stream } from './generate-835.ts';
export type { DelimiterProfileName, Generate835Options, Generated835, Generated835Totals } from './generate-835.ts';
export { SNIFF_BYTES, sniffX12 } from './sniff-x12.ts';
export type { X12Refusal } from './sniff-x12.ts';
