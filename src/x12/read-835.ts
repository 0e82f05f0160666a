import { isClaimStatus835, type ClaimStatus835 } from '../domain/remittance/claim-status.ts';
import { X12Error, x12Issue, type X12Issue } from './errors.ts';
import { malformedClaim, readAdjustments, readClaim, readPerson, readServiceLine } from './read-claim-segments.ts';
import {
  type Claim835,
  type Payee835,
  type Payer835,
  type Payment835,
  type ProviderAdjustment835,
  type Read835Result,
  type Remittance835,
  type Remittance835Event,
  type Remittance835Header,
  type Remittance835Summary,
  type ServiceLine835,
  type Trace835,
} from './remittance-835.ts';
import {
  codeKey,
  element,
  elementKey,
  isEmptyElement,
  missingElement,
  optionalCode,
  optionalDate,
  optionalElement,
  requiredCents,
  requiredElement,
  unexpectedSegment,
} from './segment-values.ts';
import { segmentKey, type TextSegment, type X12Source } from './tokenizer.ts';
import type { SetContext, SetReader, SetSink, SkippedSet } from './transaction-set-walker.ts';
import { walkSource, walkText } from './walk-source.ts';

/**
 * Reads every 835 transaction set of a source (a whole text or bytes, or
 * chunks such as `fs.createReadStream(path)`). Never throws for bad data:
 * a broken set is reported in `errors` (with its ST02, the segment number
 * and what was expected) while the other sets are still read; other
 * transaction sets are listed in `skipped`. Only a failing source (I/O) throws.
 *
 * The result holds every claim in memory; for files too big for that, use
 * `stream835`.
 */
export async function read835(source: X12Source): Promise<Read835Result> {
  const collector = new Collector();
  for await (const _ of walkSource(source, '835', collector.open, collector)) {
    // The collector gathers as the chunks go by.
  }
  return collector.result();
}

/** `read835` for a text already in memory, synchronously. */
export function read835Text(text: string): Read835Result {
  const collector = new Collector();
  walkText(text, '835', collector.open, collector);
  return collector.result();
}

/**
 * Reads an 835 source in bounded memory: yields each claim as soon as it is
 * read, then a summary per transaction set (totals, PLB, balance), and the
 * skipped sets, errors and warnings, in file order. See `Remittance835Event`
 * for when a claim is final.
 */
export function stream835(source: X12Source): AsyncGenerator<Remittance835Event, void, undefined> {
  return new Remittance835Stream(source);
}

/**
 * `stream835`'s events: each chunk is walked, then the events it produced are
 * handed out one by one, each as an already-settled promise. An async
 * generator costs several promise turns per yielded value, which at one event
 * per claim was a visible share of a read.
 */
class Remittance835Stream implements AsyncGenerator<Remittance835Event, void, undefined> {
  readonly #pending: Remittance835Event[] = [];
  #next = 0;
  #walk: AsyncGenerator<void, void, undefined> | null;
  // While a chunk is being walked, a further next() waits for it (as an async generator queues calls).
  #filling: Promise<IteratorResult<Remittance835Event, void>> | null = null;

  constructor(source: X12Source) {
    const pending = this.#pending;
    const sink: SetSink<Remittance835Summary> = {
      set: (transaction) => pending.push({ type: 'transaction', transaction }),
      skipped: (skipped) => pending.push({ type: 'skipped', skipped }),
      error: (error) => pending.push({ type: 'error', error }),
      warning: (warning) => pending.push({ type: 'warning', warning }),
    };
    const open = (context: SetContext): SetReader<Remittance835Summary> =>
      new Remittance835Reader(context, (transaction, claim) => pending.push({ type: 'claim', transaction, claim }));
    this.#walk = walkSource(source, '835', open, sink);
  }

  next(): Promise<IteratorResult<Remittance835Event, void>> {
    if (this.#filling !== null) return this.#filling.then(() => this.next(), () => this.next());
    if (this.#next < this.#pending.length) return Promise.resolve<IteratorResult<Remittance835Event, void>>({ done: false, value: this.#pending[this.#next++]! });
    const filling = this.#fill();
    this.#filling = filling;
    const settle = (): void => {
      this.#filling = null;
    };
    filling.then(settle, settle);
    return filling;
  }

  async #fill(): Promise<IteratorResult<Remittance835Event, void>> {
    const pending = this.#pending;
    for (;;) {
      pending.length = 0;
      this.#next = 0;
      const walk = this.#walk;
      if (walk === null) return { done: true, value: undefined };
      const step = await walk.next();
      if (step.done === true) this.#walk = null;
      if (pending.length > 0) return { done: false, value: pending[this.#next++]! };
    }
  }

  /** Stops reading: the source is closed (a file stream is destroyed). */
  async return(): Promise<IteratorResult<Remittance835Event, void>> {
    this.#pending.length = 0;
    this.#next = 0;
    const walk = this.#walk;
    this.#walk = null;
    if (walk !== null) await walk.return(undefined);
    return { done: true, value: undefined };
  }

  async throw(error: unknown): Promise<IteratorResult<Remittance835Event, void>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): AsyncGenerator<Remittance835Event, void, undefined> {
    return this;
  }
}

/** Gathers claims per set for `read835`; a failed set's claims are dropped with it. */
class Collector implements SetSink<Remittance835Summary> {
  readonly #transactions: Remittance835[] = [];
  readonly #skipped: SkippedSet[] = [];
  readonly #errors: X12Error[] = [];
  readonly #warnings: X12Issue[] = [];
  #claims: Claim835[] = [];

  readonly open = (context: SetContext): SetReader<Remittance835Summary> => {
    this.#claims = [];
    return new Remittance835Reader(context, (_header, claim) => {
      this.#claims.push(claim);
    });
  };

  set(summary: Remittance835Summary): void {
    this.#transactions.push({ ...summary, claims: this.#claims });
    this.#claims = [];
  }

  skipped(skipped: SkippedSet): void {
    this.#skipped.push(skipped);
  }

  error(error: X12Error): void {
    this.#claims = [];
    this.#errors.push(error);
  }

  warning(issue: X12Issue): void {
    this.#warnings.push(issue);
  }

  result(): Read835Result {
    return { transactions: this.#transactions, skipped: this.#skipped, errors: this.#errors, warnings: this.#warnings };
  }
}

// Qualifiers compared as numbers (see elementKey).
const DTM_PRODUCTION = codeKey('405');
const DTM_CLAIM_FROM = codeKey('232');
const DTM_CLAIM_TO = codeKey('233');
const DTM_RECEIVED = codeKey('050');
const DTM_SERVICE = codeKey('472');
const DTM_SERVICE_FROM = codeKey('150');
const DTM_SERVICE_TO = codeKey('151');
const REF_LINE_CONTROL = codeKey('6R');
const NM1_PATIENT = codeKey('QC');
const NM1_INSURED = codeKey('IL');
const NM1_CORRECTED_PATIENT = codeKey('74');
const NM1_RENDERING_PROVIDER = codeKey('82');
/** PLB holds up to six reason/amount pairs, from PLB03. */
const PLB_PAIRS = 6;

type Phase = 'start' | 'header' | 'claims' | 'footer';

/**
 * Reads one 835 transaction set (the segments after ST up to SE). The loop
 * structure is followed loosely, as real files need: segments it does not
 * model (REF, AMT, QTY, LQ, MIA, MOA, TS3…) are passed over, while a segment
 * that makes the money ambiguous (a CAS before any CLP, a CLP after PLB, an
 * unknown status or group code, an inexact amount) fails the set.
 */
class Remittance835Reader implements SetReader<Remittance835Summary> {
  #phase: Phase = 'start';
  #payment: Payment835 | null = null;
  #trace: Trace835 | null = null;
  #productionDate: string | null = null;
  #payer: Payer835 | null = null;
  #payee: Payee835 | null = null;
  // Which 1000 loop an N1 opened, so its REF lands on the right party.
  #party: 'PR' | 'PE' | null = null;
  #header: Remittance835Header | null = null;

  #claim: Claim835 | null = null;
  #line: ServiceLine835 | null = null;
  #claimCount = 0;
  #claimPaidCents = 0;
  readonly #statusCounts: Partial<Record<ClaimStatus835, number>> = {};

  readonly #providerAdjustments: ProviderAdjustment835[] = [];
  #providerAdjustmentCents = 0;
  readonly #warnings: X12Issue[] = [];

  constructor(
    private readonly context: SetContext,
    private readonly onClaim: (header: Remittance835Header, claim: Claim835) => void,
  ) {}

  segment(segment: TextSegment): void {
    if (this.#phase === 'start') {
      if (segment.key !== KEY_BPR) throw unexpectedSegment(segment, 'BPR', 'cannot open an 835: BPR must follow ST');
      this.#payment = readPayment(segment, this.#warnings);
      this.#phase = 'header';
      return;
    }
    // The cases a claim repeats come first: a switch on numbers compares them in order.
    switch (segment.key) {
      case KEY_CAS: {
        const claim = this.#claim;
        if (!claim) throw unexpectedSegment(segment, 'CLP', 'before any CLP: an adjustment needs its claim');
        if (claim.problem) return;
        try {
          readAdjustments(segment, (this.#line ?? claim).adjustments);
        } catch (error) {
          this.#claimProblem(segment, error);
        }
        return;
      }
      case KEY_DTM:
        this.#readDate(segment);
        return;
      case KEY_REF:
        this.#readReference(segment);
        return;
      case KEY_SVC: {
        const claim = this.#claim;
        if (!claim) throw unexpectedSegment(segment, 'CLP', 'before any CLP: a service line needs its claim');
        if (claim.problem) return;
        try {
          this.#line = readServiceLine(segment, this.#warnings);
          claim.serviceLines.push(this.#line);
        } catch (error) {
          this.#claimProblem(segment, error);
        }
        return;
      }
      case KEY_NM1:
        if (this.#claim) this.#readName(segment, this.#claim);
        return;
      case KEY_CLP:
        if (this.#phase === 'footer') throw unexpectedSegment(segment, 'PLB or SE', 'after PLB: claims must come before provider adjustments');
        this.#closeClaim();
        this.#phase = 'claims';
        try {
          this.#claim = readClaim(segment);
        } catch (error) {
          // A claim that cannot be read is still a claim: it is reported with its problem and the rest of the payment goes on.
          if (!(error instanceof X12Error)) throw error;
          this.#claim = malformedClaim(segment, error);
        }
        return;
      case KEY_MOA:
      case KEY_MIA:
      case KEY_LQ:
        if (this.#claim && !this.#claim.problem) readRemarks(segment, this.#claim);
        return;
      default:
        this.#outsideClaims(segment);
        return;
    }
  }

  /**
   * The segments a claim does not repeat: the header's, LX, PLB, a second
   * BPR; the ones the model does not carry are passed over. Apart from
   * segment() so that the first PLB, which comes at a set's end well into a
   * file, does not throw away the optimized code of the claim's cases.
   */
  #outsideClaims(segment: TextSegment): void {
    switch (segment.key) {
      case KEY_LX:
        if (this.#phase === 'footer') throw unexpectedSegment(segment, 'PLB or SE', 'after PLB: claims must come before provider adjustments');
        this.#closeClaim();
        this.#phase = 'claims';
        return;
      case KEY_TRN:
        if (this.#phase === 'header' && this.#trace === null) this.#trace = readTrace(segment);
        return;
      case KEY_N1:
        if (this.#phase === 'header') this.#readParty(segment);
        return;
      case KEY_PLB:
        this.#closeClaim();
        this.#phase = 'footer';
        this.#readProviderAdjustment(segment);
        return;
      case KEY_BPR:
        throw unexpectedSegment(segment, 'one BPR per transaction set', 'appears twice');
      default:
        // Segments the model does not carry.
        return;
    }
  }

  finish(se: TextSegment): Remittance835Summary {
    if (this.#phase === 'start') throw unexpectedSegment(se, 'BPR', 'ends the set before its BPR');
    this.#closeClaim();
    const header = this.#ensureHeader(se);
    const claimPaidCents = this.#claimPaidCents;
    const providerAdjustmentCents = this.#providerAdjustmentCents;
    const expectedPaymentCents = claimPaidCents - providerAdjustmentCents;
    const paymentCents = header.payment.netCents;
    const balanced = paymentCents === expectedPaymentCents;
    if (!balanced) {
      this.#warnings.push(
        x12Issue(
          'unbalanced',
          `BPR02 ${paymentCents} cents is not ΣCLP04 ${claimPaidCents} − ΣPLB ${providerAdjustmentCents} = ${expectedPaymentCents} cents (difference ${paymentCents - expectedPaymentCents})`,
          { segmentNumber: se.segmentNumber, expected: String(expectedPaymentCents), found: String(paymentCents), controlNumber: this.context.controlNumber },
        ),
      );
    }
    return {
      ...header,
      providerAdjustments: this.#providerAdjustments,
      totals: {
        claimCount: this.#claimCount,
        claimPaidCents,
        providerAdjustmentCents,
        claimCountByStatus: this.#statusCounts,
      },
      balance: {
        balanced,
        paymentCents,
        claimPaidCents,
        providerAdjustmentCents,
        expectedPaymentCents,
        differenceCents: paymentCents - expectedPaymentCents,
      },
      warnings: this.#warnings,
    };
  }

  /** Fixes the header at the first claim, PLB or SE, and says which header segments were missing. */
  #ensureHeader(at: { segmentNumber: number; id: string }): Remittance835Header {
    if (this.#header) return this.#header;
    const missing = (what: string, expected: string): void => {
      this.#warnings.push(
        x12Issue('missing_segment', `The 835 header has no ${what}`, {
          segmentNumber: at.segmentNumber,
          expected,
          found: at.id,
          controlNumber: this.context.controlNumber,
        }),
      );
    };
    if (this.#trace === null) missing('TRN (check or EFT trace number)', 'TRN');
    if (this.#payer === null) missing('payer (N1*PR)', 'N1*PR');
    if (this.#payee === null) missing('payee (N1*PE)', 'N1*PE');
    this.#header = {
      controlNumber: this.context.controlNumber,
      version: this.context.version,
      segmentNumber: this.context.segmentNumber,
      interchangeControlNumber: this.context.interchangeControlNumber,
      groupControlNumber: this.context.groupControlNumber,
      payment: this.#payment!,
      trace: this.#trace,
      productionDate: this.#productionDate,
      payer: this.#payer,
      payee: this.#payee,
    };
    return this.#header;
  }

  /** A problem in a segment of the current claim marks the claim malformed (one problem is enough) instead of failing the set. */
  #claimProblem(segment: TextSegment, error: unknown): void {
    const claim = this.#claim;
    if (!(error instanceof X12Error) || !claim) throw error;
    claim.problem = { ...error.toIssue(), segmentNumber: segment.segmentNumber, controlNumber: this.context.controlNumber };
    this.#line = null;
  }

  #closeClaim(): void {
    const claim = this.#claim;
    if (!claim) return;
    this.#claim = null;
    this.#line = null;
    this.#claimCount++;
    this.#claimPaidCents += claim.paidCents;
    if (isClaimStatus835(claim.status)) this.#statusCounts[claim.status] = (this.#statusCounts[claim.status] ?? 0) + 1;
    this.onClaim(this.#header ?? this.#ensureHeader({ segmentNumber: claim.segmentNumber, id: 'CLP' }), claim);
  }

  #readDate(segment: TextSegment): void {
    const qualifier = elementKey(segment, 1);
    const claim = this.#claim;
    if (!claim) {
      if (this.#phase === 'header' && qualifier === DTM_PRODUCTION) this.#productionDate = optionalDate(segment, 2, this.#warnings);
      return;
    }
    const line = this.#line;
    // Which date this is decides whether it is read at all (a bad date is only reported where it is kept); then it is read once.
    switch (qualifier) {
      case DTM_CLAIM_FROM:
      case DTM_CLAIM_TO:
      case DTM_RECEIVED:
        break;
      case DTM_SERVICE:
      case DTM_SERVICE_FROM:
      case DTM_SERVICE_TO:
        if (line) break;
        return;
      default:
        return;
    }
    const date = optionalDate(segment, 2, this.#warnings);
    if (qualifier === DTM_CLAIM_FROM) claim.serviceDateFrom = date;
    else if (qualifier === DTM_CLAIM_TO) claim.serviceDateTo = date;
    else if (qualifier === DTM_RECEIVED) claim.receivedDate = date;
    else if (qualifier === DTM_SERVICE) line!.serviceDateFrom = line!.serviceDateTo = date;
    else if (qualifier === DTM_SERVICE_FROM) line!.serviceDateFrom = date;
    else line!.serviceDateTo = date;
  }

  #readParty(segment: TextSegment): void {
    const entity = element(segment, 1);
    const name = element(segment, 2);
    const idQualifier = optionalElement(segment, 3);
    const id = optionalElement(segment, 4);
    if (entity === 'PR') {
      this.#party = 'PR';
      this.#payer = { name, id, idQualifier: id === null ? null : idQualifier };
    } else if (entity === 'PE') {
      this.#party = 'PE';
      this.#payee = {
        name,
        idQualifier,
        id,
        npi: idQualifier === 'XX' ? id : null,
        taxId: idQualifier === 'FI' ? id : null,
      };
    } else {
      this.#party = null;
    }
  }

  #readReference(segment: TextSegment): void {
    const line = this.#line;
    if (line) {
      // Only a line's control number (REF*6R) is read inside a service line.
      if (elementKey(segment, 1) === REF_LINE_CONTROL && !isEmptyElement(segment, 2)) line.controlNumber = element(segment, 2);
      return;
    }
    if (this.#phase !== 'header') return;
    const qualifier = element(segment, 1);
    const value = optionalElement(segment, 2);
    if (value === null) return;
    if (this.#party === 'PR' && this.#payer && qualifier === '2U' && this.#payer.id === null) {
      this.#payer.id = value;
      this.#payer.idQualifier = '2U';
    } else if (this.#party === 'PE' && this.#payee && qualifier === 'TJ' && this.#payee.taxId === null) {
      this.#payee.taxId = value;
    }
  }

  #readName(segment: TextSegment, claim: Claim835): void {
    const qualifier = elementKey(segment, 1);
    if (qualifier !== NM1_PATIENT && qualifier !== NM1_INSURED && qualifier !== NM1_CORRECTED_PATIENT && qualifier !== NM1_RENDERING_PROVIDER) return;
    // One call site: V8 inlines readPerson (and the code and text readers it inlines) once, not once per qualifier.
    const person = readPerson(segment);
    if (qualifier === NM1_PATIENT) claim.patient = person;
    else if (qualifier === NM1_INSURED) claim.insured = person;
    else if (qualifier === NM1_CORRECTED_PATIENT) claim.correctedPatient = person;
    else claim.renderingProvider = person;
  }

  #readProviderAdjustment(segment: TextSegment): void {
    const providerId = requiredElement(segment, 1);
    const fiscalPeriodDate = optionalDate(segment, 2, this.#warnings);
    let pairs = 0;
    for (let pair = 0; pair < PLB_PAIRS; pair++) {
      const reasonIndex = 3 + pair * 2;
      const amountIndex = reasonIndex + 1;
      const reason = element(segment, reasonIndex);
      const amountText = element(segment, amountIndex);
      if (reason === '' && amountText === '') continue;
      if (reason === '') throw missingElement(segment, reasonIndex);
      const amountCents = requiredCents(segment, amountIndex);
      const [reasonCode = '', referenceId = ''] = reason.split(segment.delimiters.component);
      if (reasonCode === '') throw missingElement(segment, reasonIndex);
      this.#providerAdjustments.push({
        segmentNumber: segment.segmentNumber,
        providerId,
        fiscalPeriodDate,
        reasonCode,
        referenceId: referenceId === '' ? null : referenceId,
        amountCents,
      });
      this.#providerAdjustmentCents += amountCents;
      pairs++;
    }
    if (pairs === 0) throw missingElement(segment, 3);
  }
}

function readPayment(segment: TextSegment, warnings: X12Issue[]): Payment835 {
  const handlingCode = requiredElement(segment, 1);
  const amountCents = requiredCents(segment, 2);
  const creditDebit = requiredElement(segment, 3);
  if (creditDebit !== 'C' && creditDebit !== 'D') {
    throw new X12Error('invalid_element', `BPR03 "${creditDebit}" is neither C (credit) nor D (debit)`, {
      segmentNumber: segment.segmentNumber,
      expected: 'C|D',
      found: creditDebit,
    });
  }
  return {
    handlingCode,
    amountCents,
    creditDebit,
    method: optionalElement(segment, 4),
    format: optionalElement(segment, 5),
    paymentDate: optionalDate(segment, 16, warnings),
    // A debit is money the payer takes back: it counts against the claims.
    netCents: creditDebit === 'D' ? -amountCents : amountCents,
  };
}

function readTrace(segment: TextSegment): Trace835 {
  return {
    type: element(segment, 1),
    traceNumber: requiredElement(segment, 2),
    payerId: optionalElement(segment, 3),
    supplementalCode: optionalElement(segment, 4),
  };
}


/** RARC elements: MOA03–07; MIA05 and MIA20–24; LQ02 when LQ01 is HE (RARC; RX is a pharmacy code). */
const MOA_REMARKS: readonly number[] = [3, 4, 5, 6, 7];
const MIA_REMARKS: readonly number[] = [5, 20, 21, 22, 23, 24];
const LQ_REMARKS: readonly number[] = [2];
const LQ_REMARK_CODE = codeKey('HE');

function readRemarks(segment: TextSegment, claim: Claim835): void {
  const key = segment.key;
  if (key === KEY_LQ && elementKey(segment, 1) !== LQ_REMARK_CODE) return;
  const codes = (claim.remarkCodes ??= []);
  const indexes = key === KEY_MOA ? MOA_REMARKS : key === KEY_MIA ? MIA_REMARKS : LQ_REMARKS;
  for (let i = 0; i < indexes.length; i++) {
    const code = optionalCode(segment, indexes[i]!);
    if (code !== null && !codes.includes(code)) codes.push(code);
  }
}

const KEY_BPR = segmentKey('BPR');
const KEY_TRN = segmentKey('TRN');
const KEY_DTM = segmentKey('DTM');
const KEY_N1 = segmentKey('N1');
const KEY_REF = segmentKey('REF');
const KEY_LX = segmentKey('LX');
const KEY_CLP = segmentKey('CLP');
const KEY_CAS = segmentKey('CAS');
const KEY_NM1 = segmentKey('NM1');
const KEY_SVC = segmentKey('SVC');
const KEY_MOA = segmentKey('MOA');
const KEY_MIA = segmentKey('MIA');
const KEY_LQ = segmentKey('LQ');
const KEY_PLB = segmentKey('PLB');
