import { CLAIM_STATUS_CODES, type ClaimStatus835 } from '../domain/remittance/claim-status.ts';
import { X12Error, x12Issue, type X12Issue } from './errors.ts';
import { ADJUSTMENT_GROUPS, type Adjustment835, type AdjustmentGroup835, type Claim835, type Person835, type Procedure835, type ServiceLine835 } from './remittance-835.ts';
import { centsAt, codeAt, codeKey, element, elementName, missingElement, optionalCents, optionalElement, quantityAt, requiredElement } from './segment-values.ts';
import { keyAt, ownText, type TextSegment } from './tokenizer.ts';

/**
 * One reader per segment a claim repeats (CLP, CAS, SVC, NM1), each reading
 * its elements from the tokenizer's offsets in one pass, in element order
 * (so the first bad element is the one reported), with each kind of value —
 * text, code, amount, quantity, procedure — read at one place in the loop.
 * A cold pass over a file spends a third of its time in V8 compiling the
 * functions it runs hot; with a helper call per element, every small helper
 * was compiled on its own and then again inlined at each call site. Here
 * each reader is one unit and holds each helper once.
 *
 * Element n lies at `text[offs[n], offs[n + 1] - 1)` for n < count; past the
 * last element an element is empty (start = end = 0).
 */

// CLP02 by its key: the status is the shared constant, found without building or hashing a string.
const STATUS_BY_KEY = new Map<number, ClaimStatus835>(CLAIM_STATUS_CODES.map((status) => [codeKey(status), status]));

/** CLP: the claim, without its NM1, DTM, CAS and SVC (they follow). CLP01–04 are required. */
export function readClaim(segment: TextSegment): Claim835 {
  const { text, codes, offs, count } = segment;
  let patientControlNumber = '';
  let status: ClaimStatus835 = CLAIM_STATUS_CODES[0];
  let chargeCents = 0;
  let paidCents = 0;
  let patientResponsibilityCents: number | null = null;
  let filingIndicator: string | null = null;
  let payerClaimControlNumber: string | null = null;
  let facilityCode: string | null = null;
  let frequencyCode: string | null = null;
  for (let index = 1; index <= 9; index++) {
    const start = index < count ? offs[index]! : 0;
    const end = index < count ? offs[index + 1]! - 1 : 0;
    if (start === end) {
      if (index <= 4) throw missingElement(segment, index);
      continue;
    }
    switch (index) {
      case 1:
      case 7: {
        const value = ownText(text, start, end);
        if (index === 1) patientControlNumber = value;
        else payerClaimControlNumber = value;
        break;
      }
      case 2:
        status = STATUS_BY_KEY.get(keyAt(codes, start, end)) ?? notAStatus(segment);
        break;
      case 3:
      case 4:
      case 5: {
        const cents = centsAt(segment, index, start, end);
        if (index === 3) chargeCents = cents;
        else if (index === 4) paidCents = cents;
        else patientResponsibilityCents = cents;
        break;
      }
      default: {
        const code = codeAt(codes, text, start, end);
        if (index === 6) filingIndicator = code;
        else if (index === 8) facilityCode = code;
        else frequencyCode = code;
      }
    }
  }
  return {
    segmentNumber: segment.segmentNumber,
    patientControlNumber,
    status,
    chargeCents,
    paidCents,
    patientResponsibilityCents,
    filingIndicator,
    payerClaimControlNumber,
    facilityCode,
    frequencyCode,
    patient: null,
    insured: null,
    correctedPatient: null,
    renderingProvider: null,
    serviceDateFrom: null,
    serviceDateTo: null,
    receivedDate: null,
    adjustments: [],
    serviceLines: [],
    problem: null,
  };
}

/** CLP02 is no claim status code (`invalid_element`). */
function notAStatus(segment: TextSegment): never {
  const status = requiredElement(segment, 2);
  throw new X12Error('invalid_element', `CLP02 "${status}" is not a claim status code`, {
    segmentNumber: segment.segmentNumber,
    expected: CLAIM_STATUS_CODES.join('|'),
    found: status,
  });
}

/**
 * What can be read of a CLP that breaks a rule (no amounts, an unknown
 * status, an inexact amount): its control number and status as written, and
 * each amount that parses (else 0), with the problem. Posting makes it an
 * exception; a bare `CLP*X*22~` still names the claim it would reverse.
 */
export function malformedClaim(segment: TextSegment, error: X12Error): Claim835 {
  const amount = (index: number): number => {
    try {
      return optionalCents(segment, index) ?? 0;
    } catch {
      return 0;
    }
  };
  return {
    segmentNumber: segment.segmentNumber,
    patientControlNumber: element(segment, 1),
    status: element(segment, 2) as ClaimStatus835,
    chargeCents: amount(3),
    paidCents: amount(4),
    patientResponsibilityCents: null,
    filingIndicator: optionalElement(segment, 6),
    payerClaimControlNumber: optionalElement(segment, 7),
    facilityCode: optionalElement(segment, 8),
    frequencyCode: optionalElement(segment, 9),
    patient: null,
    insured: null,
    correctedPatient: null,
    renderingProvider: null,
    serviceDateFrom: null,
    serviceDateTo: null,
    receivedDate: null,
    adjustments: [],
    serviceLines: [],
    problem: { ...error.toIssue(), segmentNumber: segment.segmentNumber },
  };
}

/** CAS holds up to six reason/amount/quantity triplets, CAS02 to CAS19. */
const CAS_LAST_ELEMENT = 19;
const GROUP_KEYS = ADJUSTMENT_GROUPS.map((group) => codeKey(group));

/**
 * CAS: appends its adjustments to `into`, a triplet at a time. When it
 * throws, `into` is as it was (a bad CAS adds nothing).
 */
export function readAdjustments(segment: TextSegment, into: Adjustment835[]): void {
  const { text, codes, offs, count } = segment;
  const groupStart = count > 1 ? offs[1]! : 0;
  const groupEnd = count > 1 ? offs[2]! - 1 : 0;
  const group = adjustmentGroup(groupStart === groupEnd ? 0 : keyAt(codes, groupStart, groupEnd)) ?? notAGroup(segment);
  const before = into.length;
  // Past the last element every triplet is empty.
  const last = Math.min(count - 1, CAS_LAST_ELEMENT);
  try {
    for (let reasonIndex = 2; reasonIndex <= last; reasonIndex += 3) {
      const reasonStart = offs[reasonIndex]!;
      const reasonEnd = offs[reasonIndex + 1]! - 1;
      const amountIndex = reasonIndex + 1;
      const amountStart = amountIndex < count ? offs[amountIndex]! : 0;
      const amountEnd = amountIndex < count ? offs[amountIndex + 1]! - 1 : 0;
      const quantityStart = amountIndex + 1 < count ? offs[amountIndex + 1]! : 0;
      const quantityEnd = amountIndex + 1 < count ? offs[amountIndex + 2]! - 1 : 0;
      if (reasonStart === reasonEnd) {
        if (amountStart === amountEnd && quantityStart === quantityEnd) continue;
        throw missingElement(segment, reasonIndex);
      }
      const reason = codeAt(codes, text, reasonStart, reasonEnd);
      if (amountStart === amountEnd) throw missingElement(segment, amountIndex);
      into.push({
        group,
        reason,
        amountCents: centsAt(segment, amountIndex, amountStart, amountEnd),
        quantity: quantityStart === quantityEnd ? null : ownText(text, quantityStart, quantityEnd),
        segmentNumber: segment.segmentNumber,
      });
    }
    if (into.length === before) throw missingElement(segment, 2);
  } catch (error) {
    into.length = before;
    throw error;
  }
}

/** CAS01 as its group code (the shared constant), null when it is none. */
function adjustmentGroup(key: number): AdjustmentGroup835 | null {
  for (let i = 0; i < GROUP_KEYS.length; i++) if (GROUP_KEYS[i] === key) return ADJUSTMENT_GROUPS[i]!;
  return null;
}

/** CAS01 is no adjustment group code (`invalid_element`). */
function notAGroup(segment: TextSegment): never {
  const written = element(segment, 1);
  throw new X12Error('invalid_element', `CAS01 "${written}" is not an adjustment group code`, {
    segmentNumber: segment.segmentNumber,
    expected: ADJUSTMENT_GROUPS.join('|'),
    found: written,
  });
}

/** NM1 in a claim: NM103–NM105 (names), NM108 (id qualifier, a code), NM109 (id). */
export function readPerson(segment: TextSegment): Person835 {
  const { text, codes, offs, count } = segment;
  let lastName: string | null = null;
  let firstName: string | null = null;
  let middleName: string | null = null;
  let idQualifier: string | null = null;
  let id: string | null = null;
  const last = Math.min(count - 1, 9);
  for (let index = 3; index <= last; index++) {
    const start = offs[index]!;
    const end = offs[index + 1]! - 1;
    // NM106 (prefix) and NM107 (suffix) are not kept.
    if (start === end || index === 6 || index === 7) continue;
    if (index === 8) {
      idQualifier = codeAt(codes, text, start, end);
      continue;
    }
    const value = ownText(text, start, end);
    if (index === 3) lastName = value;
    else if (index === 4) firstName = value;
    else if (index === 5) middleName = value;
    else id = value;
  }
  return { lastName, firstName, middleName, idQualifier, id };
}

/**
 * SVC: a service line, SVC01 to SVC07. SVC01 (the procedure) is required;
 * SVC02/SVC03 are too, but files in the wild leave them out of a line the
 * payer did not price; posting works from CLP04, so the line reads them as 0
 * with a warning rather than failing the whole payment. A malformed amount
 * still fails: it is not a gap but a wrong number.
 */
export function readServiceLine(segment: TextSegment, warnings: X12Issue[]): ServiceLine835 {
  const { text, offs, count } = segment;
  let procedure: Procedure835 | null = null;
  let chargeCents = 0;
  let paidCents = 0;
  let revenueCode: string | null = null;
  let units: number | null = null;
  let originalProcedure: Procedure835 | null = null;
  let originalUnits: number | null = null;
  for (let index = 1; index <= 7; index++) {
    const start = index < count ? offs[index]! : 0;
    const end = index < count ? offs[index + 1]! - 1 : 0;
    switch (index) {
      case 1:
      case 6: {
        const read = start === end ? null : readProcedure(segment, index, start, end, warnings);
        if (index === 6) originalProcedure = read;
        else if (read === null) throw missingElement(segment, index);
        else procedure = read;
        break;
      }
      case 2:
      case 3: {
        const cents = start === end ? missingLineAmount(segment, index, warnings) : centsAt(segment, index, start, end);
        if (index === 2) chargeCents = cents;
        else paidCents = cents;
        break;
      }
      case 4:
        revenueCode = start === end ? null : ownText(text, start, end);
        break;
      default: {
        const quantity = start === end ? null : quantityAt(segment, index, start, end, warnings);
        if (index === 5) units = quantity;
        else originalUnits = quantity;
      }
    }
  }
  return {
    segmentNumber: segment.segmentNumber,
    procedure: procedure!,
    chargeCents,
    paidCents,
    revenueCode,
    units,
    originalProcedure,
    originalUnits,
    serviceDateFrom: null,
    serviceDateTo: null,
    controlNumber: null,
    adjustments: [],
  };
}

function missingLineAmount(segment: TextSegment, index: number, warnings: X12Issue[]): number {
  warnings.push(
    x12Issue('missing_element', `${elementName(segment, index)} is empty; the service line reads it as 0`, {
      segmentNumber: segment.segmentNumber,
      expected: elementName(segment, index),
    }),
  );
  return 0;
}

/** The composite procedure of element `index`, not empty, at `text[start, end)`. */
function readProcedure(segment: TextSegment, index: number, start: number, end: number, warnings: X12Issue[]): Procedure835 {
  const codes = segment.codes;
  const declared = segment.delimiters.component.charCodeAt(0);
  // A loop over the element rather than lastIndexOf, which V8 runs in C++ (a call out per line) and which
  // would search on past the element's start when it holds no separator.
  for (let i = start; i < end; i++) if (codes[i] === declared) return procedureAt(segment, index, declared, warnings);
  return singlePartProcedure(segment, index, warnings);
}

/**
 * A procedure element without the declared component separator, looked at
 * whole. Some senders declare one separator in ISA16 and use another (ISA16
 * ':' with "HC>99213"): the composite is read as written, and the reader
 * says so. Apart from readProcedure, which every line runs, to keep that small.
 */
function singlePartProcedure(segment: TextSegment, index: number, warnings: X12Issue[]): Procedure835 {
  const declared = segment.delimiters.component;
  const raw = element(segment, index);
  const undeclared = /^[A-Z0-9]{2}([^A-Za-z0-9 ])[A-Z0-9]/.exec(raw);
  if (!undeclared) return procedureAt(segment, index, -1, warnings);
  const separator = undeclared[1]!;
  warnings.push(
    x12Issue('invalid_element', `${elementName(segment, index)} "${raw}" separates its components with "${separator}", not the declared "${declared}"; read as written`, {
      segmentNumber: segment.segmentNumber,
      expected: declared,
      found: separator,
    }),
  );
  return procedureAt(segment, index, separator.charCodeAt(0), warnings);
}

/**
 * The composite procedure of element `index`, its parts separated by the
 * character `separator` (-1: one part), read in place: the qualifier (part 1)
 * and modifiers (parts 3–6, the empty ones left out) as shared codes, the
 * code (part 2) and description (part 7) as strings of their own.
 */
function procedureAt(segment: TextSegment, index: number, separator: number, warnings: X12Issue[]): Procedure835 {
  const { text, codes } = segment;
  const end = segment.offs[index + 1]! - 1;
  let qualifier = '';
  let code = '';
  let description: string | null = null;
  let modifiers: string[] = NO_MODIFIERS;
  let part = 0;
  let from = segment.offs[index]!;
  for (let i = from; i <= end; i++) {
    if (i < end && codes[i] !== separator) continue;
    if (part === 0) qualifier = codeAt(codes, text, from, i);
    else if (part === 1) code = ownText(text, from, i);
    else if (part <= 5) {
      if (i > from) modifiers = modifiers === NO_MODIFIERS ? [codeAt(codes, text, from, i)] : [...modifiers, codeAt(codes, text, from, i)];
    } else {
      if (i > from) description = ownText(text, from, i);
      break;
    }
    part++;
    from = i + 1;
  }
  if (code === '') warnings.push(noProcedureCode(segment, index, qualifier));
  return { qualifier, code, modifiers: modifiers === NO_MODIFIERS ? [] : modifiers, description };
}

function noProcedureCode(segment: TextSegment, index: number, qualifier: string): X12Issue {
  return x12Issue('missing_element', `${elementName(segment, index)} has no procedure code after "${qualifier}"`, {
    segmentNumber: segment.segmentNumber,
    expected: `${elementName(segment, index)}-2`,
  });
}

// Most procedures have no modifier: the array is made for the procedure only at the end.
const NO_MODIFIERS: string[] = [];
