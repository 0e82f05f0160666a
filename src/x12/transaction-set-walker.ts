import { X12Error, x12Issue, type X12Issue } from './errors.ts';
import { KEY_GE, KEY_GS, KEY_IEA, KEY_ISA, KEY_SE, KEY_ST, type TextSegment, type X12Delimiters } from './tokenizer.ts';

/** Where a transaction set sits in the file. */
export interface SetContext {
  /** ST01, e.g. '835'. */
  transactionSetId: string;
  /** ST02. */
  controlNumber: string;
  /** ST03 when present (5010), else GS08 of the enclosing group, e.g. '005010X221A1' or '004010X091A1'. */
  version: string | null;
  /** Position of the ST segment in the file. */
  segmentNumber: number;
  /** ISA13, null without an envelope. */
  interchangeControlNumber: string | null;
  /** GS06, null without a functional group. */
  groupControlNumber: string | null;
  delimiters: X12Delimiters;
}

/** A transaction set that was not read because it is another kind (a 999 in an 835 file). */
export interface SkippedSet {
  transactionSetId: string;
  controlNumber: string;
  version: string | null;
  segmentNumber: number;
}

/** Reads the segments between one ST and its SE. Throwing X12Error fails this set only. */
export interface SetReader<T> {
  /** The segment is the tokenizer's one transient object: keep values read from it, never the segment. */
  segment(segment: TextSegment): void;
  /** Called at SE; returns the set's result. */
  finish(se: TextSegment): T;
}

export interface SetSink<T> {
  set(result: T): void;
  skipped(skipped: SkippedSet): void;
  error(error: X12Error): void;
  warning(issue: X12Issue): void;
}

interface OpenSet<T> {
  context: SetContext;
  reader: SetReader<T> | null;
  failed: boolean;
}

interface OpenGroup {
  controlNumber: string;
  version: string | null;
  segmentNumber: number;
  sets: number;
}

interface OpenInterchange {
  controlNumber: string;
  segmentNumber: number;
  groups: number;
}

/**
 * Follows the envelope (ISA/GS/ST … SE/GE/IEA) and hands each transaction
 * set of the wanted kind to its own reader. A set that throws X12Error, or
 * that is cut off before its SE, is reported alone and the walk goes on with
 * the next set; other kinds of set are reported as skipped. Mismatched
 * control numbers and counts in trailers are warnings: the content is still
 * read.
 */
export class TransactionSetWalker<T> {
  #interchange: OpenInterchange | null = null;
  #group: OpenGroup | null = null;
  #set: OpenSet<T> | null = null;
  #lastSegmentNumber = 0;

  constructor(
    private readonly transactionSetId: string,
    private readonly open: (context: SetContext) => SetReader<T>,
    private readonly sink: SetSink<T>,
  ) {}

  segment(segment: TextSegment): void {
    this.#lastSegmentNumber = segment.segmentNumber;
    // Most segments are a set's content. Past a set's ST (set segment number 2 on, as the tokenizer numbers
    // them) SE is the only envelope segment there can be, so one look at the key sends them on.
    const key = segment.key;
    const content =
      segment.setSegmentNumber > 1
        ? key !== KEY_SE
        : key !== KEY_ISA && key !== KEY_GS && key !== KEY_ST && key !== KEY_SE && key !== KEY_GE && key !== KEY_IEA;
    if (content) {
      this.#inSet(segment);
      return;
    }
    switch (key) {
      case KEY_ISA:
        this.#closeSetUnfinished(segment);
        this.#closeGroupUnfinished(segment);
        if (this.#interchange) this.#missingTrailer('IEA', segment.segmentNumber, segment.id);
        this.#interchange = { controlNumber: element(segment, 13), segmentNumber: segment.segmentNumber, groups: 0 };
        return;
      case KEY_GS:
        this.#closeSetUnfinished(segment);
        this.#closeGroupUnfinished(segment);
        if (this.#interchange) this.#interchange.groups++;
        this.#group = {
          controlNumber: element(segment, 6),
          version: element(segment, 8) || null,
          segmentNumber: segment.segmentNumber,
          sets: 0,
        };
        return;
      case KEY_ST:
        this.#closeSetUnfinished(segment);
        this.#openSet(segment);
        return;
      case KEY_SE:
        this.#closeSet(segment);
        return;
      case KEY_GE:
        this.#closeSetUnfinished(segment);
        this.#closeGroup(segment);
        return;
      case KEY_IEA:
        this.#closeSetUnfinished(segment);
        this.#closeGroupUnfinished(segment);
        this.#closeInterchange(segment);
        return;
      default:
        return;
    }
  }

  /** Call after the last segment: reports what the file left open. */
  finish(): void {
    const at = this.#lastSegmentNumber + 1;
    if (this.#set) {
      const { context } = this.#set;
      if (!this.#set.failed) {
        this.sink.error(
          new X12Error('truncated', `Transaction set ${context.transactionSetId} ${context.controlNumber} ends without its SE trailer`, {
            segmentNumber: at,
            expected: 'SE',
            found: 'end of data',
            controlNumber: context.controlNumber,
          }),
        );
      }
      this.#set = null;
    }
    if (this.#group) {
      this.#warn('truncated', `Functional group ${this.#group.controlNumber} ends without its GE trailer`, at, 'GE', 'end of data');
      this.#group = null;
    }
    if (this.#interchange) {
      this.#warn('truncated', `Interchange ${this.#interchange.controlNumber} ends without its IEA trailer`, at, 'IEA', 'end of data');
      this.#interchange = null;
    }
  }

  #openSet(st: TextSegment): void {
    if (this.#group) this.#group.sets++;
    const context: SetContext = {
      transactionSetId: element(st, 1),
      controlNumber: element(st, 2),
      version: element(st, 3) || this.#group?.version || null,
      segmentNumber: st.segmentNumber,
      interchangeControlNumber: this.#interchange?.controlNumber ?? null,
      groupControlNumber: this.#group?.controlNumber ?? null,
      delimiters: st.delimiters,
    };
    if (context.transactionSetId !== this.transactionSetId) {
      this.sink.skipped({
        transactionSetId: context.transactionSetId,
        controlNumber: context.controlNumber,
        version: context.version,
        segmentNumber: st.segmentNumber,
      });
      this.#set = { context, reader: null, failed: false };
      return;
    }
    this.#set = { context, reader: this.open(context), failed: false };
  }

  #inSet(segment: TextSegment): void {
    const set = this.#set;
    if (!set) {
      this.#warn('unexpected_segment', `${segment.id || 'An empty segment id'} outside a transaction set is ignored`, segment.segmentNumber, 'ST', segment.id);
      return;
    }
    if (!set.reader || set.failed) return;
    try {
      set.reader.segment(segment);
    } catch (error) {
      this.#fail(set, error);
    }
  }

  #closeSet(se: TextSegment): void {
    const set = this.#set;
    if (!set) {
      this.#warn('unexpected_segment', 'SE without a matching ST is ignored', se.segmentNumber, 'ST', 'SE');
      return;
    }
    this.#set = null;
    const { context } = set;
    const declaredCount = element(se, 1);
    if (declaredCount !== String(se.setSegmentNumber)) {
      this.#warn(
        'count_mismatch',
        `SE01 says ${declaredCount || '(nothing)'} segments but transaction set ${context.controlNumber} has ${se.setSegmentNumber}`,
        se.segmentNumber,
        String(se.setSegmentNumber),
        declaredCount,
        context.controlNumber,
      );
    }
    if (element(se, 2) !== context.controlNumber) {
      this.#warn(
        'control_number_mismatch',
        `SE02 ${element(se, 2) || '(empty)'} does not match ST02 ${context.controlNumber}`,
        se.segmentNumber,
        context.controlNumber,
        element(se, 2),
        context.controlNumber,
      );
    }
    if (!set.reader || set.failed) return;
    let result: T;
    try {
      result = set.reader.finish(se);
    } catch (error) {
      this.#fail(set, error);
      return;
    }
    this.sink.set(result);
  }

  #closeSetUnfinished(next: TextSegment): void {
    const set = this.#set;
    if (!set) return;
    this.#set = null;
    if (set.failed) return;
    const { context } = set;
    const error = new X12Error(
      'truncated',
      `Transaction set ${context.transactionSetId} ${context.controlNumber} has no SE trailer before ${next.id}`,
      { segmentNumber: next.segmentNumber, expected: 'SE', found: next.id, controlNumber: context.controlNumber },
    );
    // A skipped set is not ours to fail, but its missing SE is still worth saying.
    if (set.reader) this.sink.error(error);
    else this.sink.warning(error.toIssue());
  }

  #closeGroup(ge: TextSegment): void {
    const group = this.#group;
    if (!group) {
      this.#warn('unexpected_segment', 'GE without a matching GS is ignored', ge.segmentNumber, 'GS', 'GE');
      return;
    }
    this.#group = null;
    if (element(ge, 1) !== String(group.sets)) {
      this.#warn('count_mismatch', `GE01 says ${element(ge, 1) || '(nothing)'} transaction sets but the group has ${group.sets}`, ge.segmentNumber, String(group.sets), element(ge, 1));
    }
    if (element(ge, 2) !== group.controlNumber) {
      this.#warn('control_number_mismatch', `GE02 ${element(ge, 2) || '(empty)'} does not match GS06 ${group.controlNumber}`, ge.segmentNumber, group.controlNumber, element(ge, 2));
    }
  }

  #closeGroupUnfinished(next: TextSegment): void {
    if (!this.#group) return;
    this.#missingTrailer('GE', next.segmentNumber, next.id);
    this.#group = null;
  }

  #closeInterchange(iea: TextSegment): void {
    const interchange = this.#interchange;
    if (!interchange) {
      this.#warn('unexpected_segment', 'IEA without a matching ISA is ignored', iea.segmentNumber, 'ISA', 'IEA');
      return;
    }
    this.#interchange = null;
    if (element(iea, 1) !== String(interchange.groups)) {
      this.#warn('count_mismatch', `IEA01 says ${element(iea, 1) || '(nothing)'} functional groups but the interchange has ${interchange.groups}`, iea.segmentNumber, String(interchange.groups), element(iea, 1));
    }
    if (element(iea, 2) !== interchange.controlNumber) {
      this.#warn('control_number_mismatch', `IEA02 ${element(iea, 2) || '(empty)'} does not match ISA13 ${interchange.controlNumber}`, iea.segmentNumber, interchange.controlNumber, element(iea, 2));
    }
  }

  #missingTrailer(trailer: 'GE' | 'IEA', segmentNumber: number, found: string): void {
    this.#warn('truncated', `${found} arrived before the ${trailer} trailer of the previous ${trailer === 'GE' ? 'group' : 'interchange'}`, segmentNumber, trailer, found);
  }

  #fail(set: OpenSet<T>, error: unknown): void {
    // Only our own errors are data problems; anything else is a bug and must surface.
    if (!(error instanceof X12Error)) throw error;
    set.failed = true;
    error.controlNumber = set.context.controlNumber;
    this.sink.error(error);
  }

  #warn(code: X12Issue['code'], message: string, segmentNumber: number, expected: string, found: string, controlNumber?: string): void {
    const details = controlNumber === undefined ? { segmentNumber, expected, found } : { segmentNumber, expected, found, controlNumber };
    this.sink.warning(x12Issue(code, message, details));
  }
}

function element(segment: TextSegment, index: number): string {
  return segment.element(index);
}

