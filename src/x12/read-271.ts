import type { Benefit271, Date271, Eligibility271, Entity271, Member271, NetworkIndicator, Read271Result, Rejection271 } from './eligibility-271.ts';
import { x12Issue, type X12Error, type X12Issue } from './errors.ts';
import { parseX12Date } from './parse-date.ts';
import {
  components,
  element,
  optionalCents,
  optionalDate,
  optionalElement,
  optionalScaled,
  repeats,
  requiredElement,
  unexpectedSegment,
} from './segment-values.ts';
import type { TextSegment, X12Source } from './tokenizer.ts';
import type { SetContext, SetReader, SetSink, SkippedSet } from './transaction-set-walker.ts';
import { walkSource, walkText } from './walk-source.ts';

/**
 * Reads every 271 transaction set of a source. Like `read835`: never throws
 * for bad data; a broken set is reported in `errors` and the others are read;
 * other transaction sets are listed in `skipped`.
 */
export async function read271(source: X12Source): Promise<Read271Result> {
  const collector = new Collector();
  for await (const _ of walkSource(source, '271', openEligibility, collector)) {
    // The collector gathers as the chunks go by.
  }
  return collector.result();
}

/** `read271` for a text already in memory, synchronously. */
export function read271Text(text: string): Read271Result {
  const collector = new Collector();
  walkText(text, '271', openEligibility, collector);
  return collector.result();
}

class Collector implements SetSink<Eligibility271> {
  readonly #transactions: Eligibility271[] = [];
  readonly #skipped: SkippedSet[] = [];
  readonly #errors: X12Error[] = [];
  readonly #warnings: X12Issue[] = [];

  set(result: Eligibility271): void {
    this.#transactions.push(result);
  }
  skipped(skipped: SkippedSet): void {
    this.#skipped.push(skipped);
  }
  error(error: X12Error): void {
    this.#errors.push(error);
  }
  warning(issue: X12Issue): void {
    this.#warnings.push(issue);
  }
  result(): Read271Result {
    return { transactions: this.#transactions, skipped: this.#skipped, errors: this.#errors, warnings: this.#warnings };
  }
}

function openEligibility(context: SetContext): SetReader<Eligibility271> {
  return new Eligibility271Reader(context);
}

type Level = 'source' | 'receiver' | 'subscriber' | 'dependent' | null;

// A Map, not an object literal: HL03 is untrusted text and could be "__proto__".
const HL_LEVELS: ReadonlyMap<string, Exclude<Level, null>> = new Map([
  ['20', 'source'],
  ['21', 'receiver'],
  ['22', 'subscriber'],
  ['23', 'dependent'],
]);

const NETWORK: ReadonlySet<string> = new Set(['Y', 'N', 'W', 'U']);

/**
 * Reads one 271 transaction set. The HL hierarchy says whose data follows
 * (payer, provider, subscriber, dependent); an EB opens a benefit that the
 * following DTP, MSG, AAA and LS…LE entities belong to, until the next EB or HL.
 */
class Eligibility271Reader implements SetReader<Eligibility271> {
  readonly #result: Eligibility271;
  #level: Level = null;
  #hierarchicalId: string | null = null;
  #member: Member271 | null = null;
  #benefit: Benefit271 | null = null;
  // Inside LS*2120 … LE*2120, an NM1 names a benefit's related entity, not the member.
  #inRelatedEntity = false;

  constructor(context: SetContext) {
    this.#result = {
      controlNumber: context.controlNumber,
      version: context.version,
      segmentNumber: context.segmentNumber,
      interchangeControlNumber: context.interchangeControlNumber,
      groupControlNumber: context.groupControlNumber,
      referenceId: null,
      createdDate: null,
      source: null,
      receiver: null,
      members: [],
      rejections: [],
      warnings: [],
    };
  }

  segment(segment: TextSegment): void {
    const warnings = this.#result.warnings;
    switch (segment.id) {
      case 'BHT':
        this.#result.referenceId = optionalElement(segment, 3);
        this.#result.createdDate = optionalDate(segment, 4, warnings);
        return;
      case 'HL':
        this.#openLevel(segment);
        return;
      case 'NM1':
        this.#readName(segment);
        return;
      case 'DMG':
        if (this.#member && !this.#benefit) {
          if (element(segment, 1) === 'D8') this.#member.birthDate = optionalDate(segment, 2, warnings);
          this.#member.gender = optionalElement(segment, 3);
        }
        return;
      case 'TRN':
        if (this.#member && this.#member.trace === null) this.#member.trace = optionalElement(segment, 2);
        return;
      case 'DTP': {
        const date = readDate(segment, warnings);
        if (this.#benefit) this.#benefit.dates.push(date);
        else if (this.#member) this.#member.dates.push(date);
        return;
      }
      case 'AAA':
        this.#readRejection(segment);
        return;
      case 'EB':
        if (!this.#member) throw unexpectedSegment(segment, 'HL*22 or HL*23', 'before any subscriber or dependent: a benefit needs its member');
        this.#benefit = readBenefit(segment, warnings);
        this.#inRelatedEntity = false;
        this.#member.benefits.push(this.#benefit);
        return;
      case 'MSG': {
        const text = optionalElement(segment, 1);
        if (this.#benefit && text !== null) this.#benefit.messages.push(text);
        return;
      }
      case 'LS':
        this.#inRelatedEntity = true;
        return;
      case 'LE':
        this.#inRelatedEntity = false;
        return;
      default:
        return;
    }
  }

  finish(): Eligibility271 {
    return this.#result;
  }

  #openLevel(segment: TextSegment): void {
    const id = requiredElement(segment, 1);
    const code = element(segment, 3);
    const level = HL_LEVELS.get(code) ?? null;
    if (level === null) {
      this.#result.warnings.push(
        x12Issue('invalid_element', `HL03 "${code}" is not a 271 level (20, 21, 22, 23); its loop is passed over`, {
          segmentNumber: segment.segmentNumber,
          expected: '20|21|22|23',
          found: code,
        }),
      );
    }
    this.#level = level;
    this.#hierarchicalId = id;
    this.#benefit = null;
    this.#inRelatedEntity = false;
    this.#member = null;
    if (level === 'subscriber' || level === 'dependent') {
      this.#member = {
        level,
        hierarchicalId: id,
        parentId: optionalElement(segment, 2),
        name: null,
        birthDate: null,
        gender: null,
        trace: null,
        dates: [],
        benefits: [],
      };
      this.#result.members.push(this.#member);
    }
  }

  #readName(segment: TextSegment): void {
    const entity = readEntity(segment);
    if (this.#benefit) {
      // After an EB an NM1 only belongs in LS…LE; one outside is still the benefit's, not the member's.
      this.#benefit.relatedEntities.push(entity);
      return;
    }
    if (this.#inRelatedEntity) return;
    if (this.#level === 'source') this.#result.source ??= entity;
    else if (this.#level === 'receiver') this.#result.receiver ??= entity;
    else if (this.#member) this.#member.name ??= entity;
  }

  #readRejection(segment: TextSegment): void {
    const rejection: Rejection271 = {
      segmentNumber: segment.segmentNumber,
      level: this.#benefit ? 'benefit' : (this.#level ?? 'source'),
      hierarchicalId: this.#hierarchicalId,
      valid: element(segment, 1) === 'Y',
      reasonCode: optionalElement(segment, 3),
      followUpAction: optionalElement(segment, 4),
    };
    this.#result.rejections.push(rejection);
  }
}

function readEntity(segment: TextSegment): Entity271 {
  return {
    entityCode: element(segment, 1),
    lastName: optionalElement(segment, 3),
    firstName: optionalElement(segment, 4),
    middleName: optionalElement(segment, 5),
    idQualifier: optionalElement(segment, 8),
    id: optionalElement(segment, 9),
  };
}

function readBenefit(segment: TextSegment, warnings: X12Issue[]): Benefit271 {
  const code = requiredElement(segment, 1);
  const percentBasisPoints = optionalScaled(segment, 8, 4);
  if (percentBasisPoints !== null && (percentBasisPoints < 0 || percentBasisPoints > 10_000)) {
    // EB08 is a fraction (0.2 is 20 %); "20" would be 2000 % and is surely a percent written as such.
    warnings.push(
      x12Issue('invalid_element', `EB08 "${element(segment, 8)}" is outside 0–1 (EB08 is a fraction: 0.2 means 20 %); kept as written`, {
        segmentNumber: segment.segmentNumber,
        expected: 'a fraction from 0 to 1',
        found: element(segment, 8),
      }),
    );
  }
  const network = optionalElement(segment, 12);
  let inNetwork: NetworkIndicator | null = null;
  if (network !== null) {
    if (NETWORK.has(network)) inNetwork = network as NetworkIndicator;
    else {
      warnings.push(
        x12Issue('invalid_element', `EB12 "${network}" is not Y, N, W or U; read as unknown`, {
          segmentNumber: segment.segmentNumber,
          expected: 'Y|N|W|U',
          found: network,
        }),
      );
    }
  }
  let procedure: Benefit271['procedure'] = null;
  if (element(segment, 13) !== '') {
    const [qualifier = '', procedureCode = '', ...modifiers] = components(segment, 13);
    procedure = { qualifier, code: procedureCode, modifiers: modifiers.slice(0, 4).filter((m) => m !== '') };
  }
  return {
    segmentNumber: segment.segmentNumber,
    code,
    coverageLevel: optionalElement(segment, 2),
    serviceTypes: repeats(segment, 3),
    insuranceType: optionalElement(segment, 4),
    planDescription: optionalElement(segment, 5),
    timePeriod: optionalElement(segment, 6),
    amountCents: optionalCents(segment, 7),
    percentBasisPoints,
    quantityQualifier: optionalElement(segment, 9),
    quantity: optionalElement(segment, 10),
    authorizationRequired: optionalElement(segment, 11),
    inNetwork,
    procedure,
    dates: [],
    messages: [],
    relatedEntities: [],
  };
}

function readDate(segment: TextSegment, warnings: X12Issue[]): Date271 {
  const qualifier = element(segment, 1);
  const format = element(segment, 2);
  const value = element(segment, 3);
  let from: string | null = null;
  let to: string | null = null;
  if (format === 'D8') {
    from = to = parseX12Date(value);
  } else if (format === 'RD8') {
    const [start = '', end = ''] = value.split('-');
    from = parseX12Date(start);
    to = parseX12Date(end);
  }
  if ((format === 'D8' || format === 'RD8') && (from === null || to === null)) {
    warnings.push(
      x12Issue('invalid_date', `DTP03 "${value}" is not a ${format} date`, {
        segmentNumber: segment.segmentNumber,
        expected: format === 'D8' ? 'CCYYMMDD' : 'CCYYMMDD-CCYYMMDD',
        found: value,
      }),
    );
  }
  return { qualifier, format, value, from, to };
}
