/**
 * Every problem the X12 readers report has a stable `code`. Problems that stop
 * a transaction set (or the whole file) are `X12Error`s in a result's
 * `errors`; problems the reader works around are plain `X12Issue`s in
 * `warnings`. Neither is thrown out of `read835`/`read271`.
 */
export type X12ErrorCode =
  /** Neither an ISA header nor a recognisable segment at the start of the data. */
  | 'not_x12'
  /** An ISA header whose delimiters cannot be read. */
  | 'invalid_envelope'
  /** Warning: no ISA header, so the default delimiters `* ~ : ^` were assumed. */
  | 'missing_envelope'
  /** A segment where the structure does not allow it. */
  | 'unexpected_segment'
  /** A required segment is absent (e.g. TRN, the payer N1). */
  | 'missing_segment'
  /** A required element is empty. */
  | 'missing_element'
  /** An element holds a code or value the reader does not accept. */
  | 'invalid_element'
  /** A decimal that is not an exact number of cents (or basis points). */
  | 'invalid_amount'
  /** A date that is not CCYYMMDD or not a real calendar day. */
  | 'invalid_date'
  /** The data stops inside a segment, or a trailer (SE, GE, IEA) is missing. */
  | 'truncated'
  /** A segment longer than the reader's limit: the declared terminator is probably wrong. */
  | 'segment_too_long'
  /** A trailer's control number differs from its header's (SE02/ST02, GE02/GS06, IEA02/ISA13). */
  | 'control_number_mismatch'
  /** A trailer's count differs from what was read (SE01, GE01, IEA01). */
  | 'count_mismatch'
  /** An 835 whose BPR02 is not ΣCLP04 − ΣPLB. */
  | 'unbalanced'
  /** Warning: more warnings than a result lists (a file of junk would give one per segment). */
  | 'too_many_warnings';

export interface X12Issue {
  code: X12ErrorCode;
  message: string;
  /** 1-based position of the segment in the file (all segments counted, envelope included); null when not tied to one. */
  segmentNumber: number | null;
  /** What the reader expected there, e.g. "SE", "CLP04", "CO|PR|OA|PI|CR". */
  expected?: string;
  /** What it found instead (shortened). */
  found?: string;
  /** ST02 of the transaction set concerned, when there is one. */
  controlNumber?: string;
}

export interface X12ErrorDetails {
  segmentNumber?: number | null;
  expected?: string;
  found?: string;
  controlNumber?: string;
}

const MAX_FOUND_LENGTH = 40;

export class X12Error extends Error implements X12Issue {
  override readonly name = 'X12Error';
  readonly code: X12ErrorCode;
  readonly segmentNumber: number | null;
  readonly expected?: string;
  readonly found?: string;
  // Set by the transaction-set walker, which knows ST02 when the reader throws.
  controlNumber?: string;

  constructor(code: X12ErrorCode, message: string, details: X12ErrorDetails = {}) {
    super(message);
    this.code = code;
    this.segmentNumber = details.segmentNumber ?? null;
    if (details.expected !== undefined) this.expected = details.expected;
    if (details.found !== undefined) this.found = shorten(details.found);
    if (details.controlNumber !== undefined) this.controlNumber = details.controlNumber;
  }

  /** The same facts as a plain object (Error's own `message` is not enumerable). */
  toIssue(): X12Issue {
    const issue: X12Issue = { code: this.code, message: this.message, segmentNumber: this.segmentNumber };
    if (this.expected !== undefined) issue.expected = this.expected;
    if (this.found !== undefined) issue.found = this.found;
    if (this.controlNumber !== undefined) issue.controlNumber = this.controlNumber;
    return issue;
  }

  toJSON(): X12Issue {
    return this.toIssue();
  }
}

/** Builds a warning with the same shape as an error. */
export function x12Issue(code: X12ErrorCode, message: string, details: X12ErrorDetails = {}): X12Issue {
  // A plain object: warnings can be many, and an Error would capture a stack for each.
  const issue: X12Issue = { code, message, segmentNumber: details.segmentNumber ?? null };
  if (details.expected !== undefined) issue.expected = details.expected;
  if (details.found !== undefined) issue.found = shorten(details.found);
  if (details.controlNumber !== undefined) issue.controlNumber = details.controlNumber;
  return issue;
}

function shorten(text: string): string {
  return text.length > MAX_FOUND_LENGTH ? `${text.slice(0, MAX_FOUND_LENGTH)}…` : text;
}
