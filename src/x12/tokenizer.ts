import { isAscii } from 'node:buffer';
import { X12Error, x12Issue, type X12Issue } from './errors.ts';
import { Utf8Chunks } from './utf8-chunks.ts';

export interface X12Delimiters {
  readonly element: string;
  readonly component: string;
  /** ISA11 from version 00402 on (usually `^`); null in older files, where ISA11 is the standards id `U`. */
  readonly repetition: string | null;
  readonly segment: string;
}

export interface X12Segment {
  /** The segment id: 'ISA', 'CLP', … */
  readonly id: string;
  /** `elements[0]` is the id, so `elements[n]` is element n as the guides number it (CLP04 is `elements[4]`). */
  readonly elements: readonly string[];
  /** 1-based position of the segment in the file, envelope segments included. */
  readonly segmentNumber: number;
  /** 1-based position inside its transaction set (ST is 1, SE is SE01 in a good file); 0 outside a set. */
  readonly setSegmentNumber: number;
  /** The delimiters of the interchange the segment belongs to (for splitting composites and repeats). */
  readonly delimiters: X12Delimiters;
  /** Element n's text, '' when absent: the same as `elements[n] ?? ''`, without building the others. */
  element(index: number): string;
}

const DEFAULT_DELIMITERS: X12Delimiters = { element: '*', component: ':', repetition: '^', segment: '~' };

/**
 * The segment the tokenizer emits: where its elements lie in the text, not
 * the elements themselves. Element n is `text[offs[n], offs[n + 1] - 1)` for
 * n < count (`offs[count]` is one past the segment's end, so every element
 * ends the same way). One object and one offsets array serve every segment
 * of a walk (`transient`): readers switch on `key` and read amounts, dates
 * and codes in place (`segment-values.ts`), building a string only for a
 * value they keep (`element(n)`, a string of its own, see `ownText`).
 */
export class TextSegment implements X12Segment {
  /** The id as a number (`segmentKey`): -1 unless it is one to three ASCII characters. */
  key = 0;
  /**
   * The text the segment lies in (the tokenizer's buffer when it was read).
   * Set once per text scanned, not per segment: this object lives long
   * enough to be old and each text is new, so every store costs V8 a write
   * barrier (~100 instructions, ~80 M over a 20 MB file when it was per segment).
   */
  text = '';
  /** `text`'s character codes (`codes[i]` is `text.charCodeAt(i)`), set with it: readers read codes, amounts and dates from these. */
  codes: CharCodes = NO_CODES;
  offs: Int32Array = new Int32Array(64);
  /** Elements in the segment, the id included; element n for n ≥ count is empty. */
  count = 0;
  segmentNumber = 0;
  setSegmentNumber = 0;
  delimiters: X12Delimiters = DEFAULT_DELIMITERS;
  #id: string | null = null;
  #elements: string[] | null = null;

  /** Makes this object the next segment; its offsets are already in `offs`, its text in `text`. */
  fill(key: number, count: number, segmentNumber: number, setSegmentNumber: number, delimiters: X12Delimiters): void {
    this.key = key;
    this.count = count;
    this.segmentNumber = segmentNumber;
    this.setSegmentNumber = setSegmentNumber;
    this.delimiters = delimiters;
    this.#id = null;
    this.#elements = null;
  }

  /** A larger offsets array holding the same offsets (a segment with many elements). */
  grow(): Int32Array {
    const bigger = new Int32Array(this.offs.length * 2);
    bigger.set(this.offs);
    this.offs = bigger;
    return bigger;
  }

  // Built only when asked for (messages, tests): readers switch on `key`.
  get id(): string {
    this.#id ??= sharedText(this.key, this.text, this.offs[0]!, this.offs[1]! - 1);
    return this.#id;
  }

  get elements(): readonly string[] {
    this.#elements ??= ownText(this.text, this.offs[0]!, this.offs[this.count]! - 1).split(this.delimiters.element);
    return this.#elements;
  }

  element(index: number): string {
    if (index >= this.count || index < 0) return '';
    return ownText(this.text, this.offs[index]!, this.offs[index + 1]! - 1);
  }

  /** A segment of its own, for callers that keep segments (not `transient`). */
  detach(): X12Segment {
    return new ArraySegment(this.id, this.elements, this.segmentNumber, this.setSegmentNumber, this.delimiters);
  }
}

/**
 * `text[start, end)` as a string of its own. V8 makes a slice of 13
 * characters or more a view that keeps the whole parent alive: without the
 * copy, any value kept from a segment (a payer name in an import's answer)
 * pins the 64 KB buffer it came from, and a long import grows by a buffer per
 * payment. Shorter slices are copies already. Concatenating flattens into a
 * new string of the element's size.
 */
export function ownText(text: string, start: number, end: number): string {
  return end - start < 13 ? text.slice(start, end) : (' ' + text.slice(start, end)).slice(1);
}

/**
 * A text's character codes, index for index: reading a typed array costs V8
 * a few instructions a character, `charCodeAt` on a string of unknown kind
 * several times that (it dispatches on the string's representation).
 */
export type CharCodes = Uint8Array | Uint16Array;

const NO_CODES: CharCodes = new Uint8Array(0);

/** The character codes of `text`: its ASCII bytes when it is ASCII (the usual case), else its UTF-16 code units. */
function codesOf(text: string): CharCodes {
  if (Buffer.byteLength(text, 'utf8') === text.length) return Buffer.from(text, 'latin1');
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return codes;
}

/** The codes of a chunk's `text`: the chunk's own bytes when they are ASCII, each byte a character (no copy). */
function chunkCodes(chunk: X12Chunk, text: string): CharCodes {
  return typeof chunk !== 'string' && chunk.length === text.length && isAscii(chunk) ? chunk : codesOf(text);
}

/** A segment whose elements are built (what a tokenizer that is not `transient` hands out). */
class ArraySegment implements X12Segment {
  constructor(
    readonly id: string,
    readonly elements: readonly string[],
    readonly segmentNumber: number,
    readonly setSegmentNumber: number,
    readonly delimiters: X12Delimiters,
  ) {}

  element(index: number): string {
    return this.elements[index] ?? '';
  }
}

export type X12Chunk = string | Uint8Array;
/** Whole text or bytes, or chunks of them (e.g. `fs.createReadStream(path)`). */
export type X12Source = string | Uint8Array | AsyncIterable<X12Chunk> | Iterable<X12Chunk>;

export interface TokenizerOptions {
  /** Problems the tokenizer works around (a missing envelope, a file cut mid-segment). */
  onWarning?: (issue: X12Issue) => void;
  /** Problems that lose data but not the rest of the file (a broken ISA: its interchange is skipped). */
  onError?: (error: X12Error) => void;
  /** Longest segment accepted; longer means the terminator is wrong. Default 1,000,000 characters. */
  maxSegmentLength?: number;
  /**
   * Emit one `TextSegment` over and over, valid only during the `emit`
   * call (a reader that keeps nothing of the segment itself, as the
   * transaction-set walker's, saves an object and its elements per segment).
   * Default false: each segment is an object of its own with its elements built.
   */
  transient?: boolean;
}

type Emit = (segment: X12Segment) => void;

const NEED_MORE = Symbol('need more data');
// The ISA is 106 characters when its fields are padded as the standard says;
// this leaves room for senders who do not pad.
const MAX_ISA_LENGTH = 512;
// Without an envelope the terminator is guessed from this much text.
const DETECT_WINDOW = 65_536;
// Big whole inputs are fed in slices so the segments of one push stay few.
const SLICE_LENGTH = 65_536;

/**
 * A push tokenizer: feed it chunks, it calls `emit` for every complete
 * segment and keeps only the unfinished tail between chunks, so memory stays
 * bounded by the chunk size plus one segment whatever the file size.
 * Delimiters come from each ISA header (a file may hold several interchanges,
 * each with its own); without an ISA the defaults `* ~ : ^` are assumed.
 *
 * One pass over the text finds each segment's terminator and its element
 * separators together. Throws X12Error only when nothing more can be read:
 * `not_x12` and `segment_too_long`.
 */
export class X12Tokenizer {
  #buffer = '';
  #delimiters: X12Delimiters | null = null;
  // Streaming decode: a multi-byte character split across two chunks stays whole. It also drops a BOM.
  readonly #decoder = new Utf8Chunks();
  #segmentNumber = 0;
  #setSegmentNumber = 0;
  // After a broken ISA header the interchange's delimiters are unknown: skip to the next ISA.
  #seekingIsa = false;
  #ended = false;
  readonly #onWarning: (issue: X12Issue) => void;
  readonly #onError: (error: X12Error) => void;
  readonly #maxSegmentLength: number;
  readonly #transient: boolean;
  // The one segment object filled for every segment (copied out per segment unless `transient`).
  readonly #segment = new TextSegment();

  constructor(options: TokenizerOptions = {}) {
    this.#onWarning = options.onWarning ?? (() => {});
    this.#onError = options.onError ?? (() => {});
    this.#maxSegmentLength = options.maxSegmentLength ?? 1_000_000;
    this.#transient = options.transient === true;
  }

  /** Segments emitted so far. */
  get segmentCount(): number {
    return this.#segmentNumber;
  }

  push(chunk: X12Chunk, emit: Emit): void {
    if (this.#ended) throw new Error('X12Tokenizer: push after end');
    const text = typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk);
    if (text.length === 0) return;
    const sink = this.#sink(emit);
    const tail = this.#buffer;
    if (tail.length === 0) {
      this.#drain(text, chunkCodes(chunk, text), 0, false, sink);
      return;
    }
    // The unfinished segment is completed with the text up to the next
    // terminator, and the rest of the chunk is scanned where it lies: no
    // chunk-long concatenation (scanning a rope costs ~30 % more per
    // character, and flattening it copies the chunk). Draining stops at the
    // same places either way; anything left over (an ISA or the delimiter
    // guess still waiting for text) takes the whole text as before.
    this.#buffer = '';
    const terminator = this.#delimiters === null || this.#seekingIsa ? -1 : text.indexOf(this.#delimiters.segment);
    if (terminator < 0) {
      const whole = tail + text;
      this.#drain(whole, codesOf(whole), 0, false, sink);
      return;
    }
    const head = tail + text.slice(0, terminator + 1);
    this.#drain(head, codesOf(head), 0, false, sink);
    const left = this.#buffer;
    this.#buffer = '';
    if (left.length > 0) {
      const rest = left + text.slice(terminator + 1);
      this.#drain(rest, codesOf(rest), 0, false, sink);
    } else {
      this.#drain(text, chunkCodes(chunk, text), terminator + 1, false, sink);
    }
  }

  /** Call once after the last chunk: emits what is left and reports a file cut mid-segment. */
  end(emit: Emit): void {
    if (this.#ended) return;
    this.#ended = true;
    const sink = this.#sink(emit);
    const rest = this.#decoder.end();
    const buffer = this.#buffer + rest;
    this.#buffer = '';
    this.#drain(buffer, codesOf(buffer), 0, true, sink);

    const leftover = this.#buffer;
    this.#buffer = '';
    const start = skipBlank(leftover, 0);
    const delimiters = this.#delimiters;
    if (start >= leftover.length || this.#seekingIsa || delimiters === null) return;
    const text = leftover.slice(start);
    // A newline-terminated file often has no newline after its last segment,
    // and a missing `~` after IEA loses nothing; anything else cut short may
    // hold a cut amount, so it is reported and not read.
    const newlineTerminated = delimiters.segment === '\n' || delimiters.segment === '\r';
    if (newlineTerminated || text.startsWith(`IEA${delimiters.element}`)) {
      this.#emitSpan(text, codesOf(text), 0, text.length, true, sink);
      return;
    }
    this.#onWarning(
      x12Issue('truncated', `The data ends inside a segment (no "${printable(delimiters.segment)}" terminator); it was not read`, {
        segmentNumber: this.#segmentNumber + 1,
        expected: delimiters.segment,
        found: text,
      }),
    );
  }

  #sink(emit: Emit): Emit {
    return this.#transient ? emit : (segment) => emit((segment as TextSegment).detach());
  }

  /**
   * Emits the segments of `buf` from `from` on; what cannot be read yet is
   * kept in `#buffer`, which must be empty. `codes[i]` is `buf.charCodeAt(i)`:
   * the scan reads a typed array, ~2× faster per character than a string.
   */
  #drain(buf: string, codes: CharCodes, from: number, final: boolean, emit: Emit): void {
    const n = buf.length;
    let pos = from;
    for (;;) {
      if (this.#seekingIsa) {
        const next = findIsa(buf, pos);
        if (next < 0) {
          // Keep a possible partial "IS" at the end for the next chunk.
          pos = final ? n : Math.max(pos, n - 3);
          break;
        }
        pos = next;
        this.#seekingIsa = false;
      }
      pos = skipBlank(buf, pos);
      if (pos >= n) break;
      // Four characters tell an ISA from any other segment.
      if (!final && n - pos < 4) break;

      if (buf.charCodeAt(pos) === 73 /* I */ && isIsaAt(buf, pos)) {
        const header = readIsaHeader(buf, pos, final, this.#segmentNumber + 1);
        if (header === NEED_MORE) break;
        if (header instanceof X12Error) {
          this.#onError(header);
          this.#seekingIsa = true;
          pos += 3;
          continue;
        }
        this.#delimiters = header.delimiters;
        // The ISA's text runs to ISA16 (the component separator), which may be any character: nothing is trimmed.
        this.#emitSpan(buf, codes, pos, header.next - 1, false, emit);
        pos = header.next;
        continue;
      }

      const delimiters = this.#delimiters ?? this.#detect(buf, pos, final);
      if (delimiters === null) break;
      const stopped = this.#segments(buf, codes, pos, final, delimiters, emit);
      // No segment read: the one at `pos` is not whole yet.
      if (stopped === pos) break;
      pos = stopped;
    }
    this.#buffer = pos >= n ? '' : buf.slice(pos);
  }

  /**
   * Reads the segment at `pos` and the ones after it until a segment that
   * starts with "I" (an ISA, which brings its own delimiters, or an IEA:
   * #drain looks at those) or one that is not whole yet; returns where it
   * stopped. This is the loop a file spends its time in, kept apart from
   * #drain so that every way out of it is a plain return: V8 throws away
   * optimized code that meets a path it had never run (the end of the first
   * chunk, the second interchange's ISA) and compiles it again, which was
   * five compiles of the whole scan in a 20 MB pass.
   */
  #segments(buf: string, codes: CharCodes, from: number, final: boolean, delimiters: X12Delimiters, emit: Emit): number {
    const n = buf.length;
    const segment = this.#segment;
    const separator = delimiters.element.charCodeAt(0);
    const terminator = delimiters.segment.charCodeAt(0);
    const maxLength = this.#maxSegmentLength;
    // Bytes read four at a time where they can be (see below); null when not (a UTF-16 text, an odd offset).
    const words = separator < 256 && terminator < 256 ? wordsOf(codes) : null;
    const separators4 = Math.imul(separator, 0x01010101);
    const terminators4 = Math.imul(terminator, 0x01010101);
    segment.text = buf;
    segment.codes = codes;
    let pos = from;
    for (;;) {
      // One scan finds the terminator and the separators before it. Past the
      // longest segment accepted the terminator must be wrong: the scan stops there.
      const limit = Math.min(n, pos + maxLength + 1);
      const tooLong = n - pos > maxLength;
      let offs = segment.offs;
      offs[0] = pos;
      let count = 1;
      let i = pos;
      // Aligned stretches are read a word (four bytes) at a time: XOR with the separator (terminator) in every
      // byte leaves a zero byte where one is, and the bit trick below flags exactly the zero bytes (0x80 in that
      // byte), in file order from the lowest byte. About 30 % of the words hold neither and are passed whole;
      // a byte at a time, V8 checks the array and its bounds for every byte.
      const wordsEnd = words === null ? 0 : limit & ~3;
      for (;;) {
        // No call in this loop (the offsets grow outside it), so V8 keeps `codes` and the counters in registers.
        const room = offs.length - 1;
        for (; i < limit; i++) {
          if ((i & 3) === 0 && i < wordsEnd) {
            const word = words![i >> 2]!;
            const xs = word ^ separators4;
            const xt = word ^ terminators4;
            const seps = ~((((xs & 0x7f7f7f7f) + 0x7f7f7f7f) | 0) | xs | 0x7f7f7f7f);
            const ends = ~((((xt & 0x7f7f7f7f) + 0x7f7f7f7f) | 0) | xt | 0x7f7f7f7f);
            const hits = seps | ends;
            if (hits !== 0) {
              // Each flagged byte in order, written out (a loop over four bytes costs more than it saves).
              if ((hits & 0x80) !== 0) {
                if ((ends & 0x80) !== 0 || count >= room) break;
                offs[count++] = i + 1;
              }
              if ((hits & 0x8000) !== 0) {
                if ((ends & 0x8000) !== 0 || count >= room) {
                  i += 1;
                  break;
                }
                offs[count++] = i + 2;
              }
              if ((hits & 0x800000) !== 0) {
                if ((ends & 0x800000) !== 0 || count >= room) {
                  i += 2;
                  break;
                }
                offs[count++] = i + 3;
              }
              if (hits < 0) {
                if (ends < 0 || count >= room) {
                  i += 3;
                  break;
                }
                offs[count++] = i + 4;
              }
            }
            i += 3;
            continue;
          }
          const c = codes[i]!;
          if (c === separator) {
            if (count >= room) break;
            offs[count++] = i + 1;
          } else if (c === terminator) {
            break;
          }
        }
        if (i >= limit || codes[i] !== separator) break;
        offs = segment.grow();
      }
      if (i >= limit) {
        if (tooLong) throw this.#tooLong(buf, pos, delimiters);
        return pos;
      }
      // CR/LF right before the terminator is line-ending noise (a CRLF file whose terminator is LF).
      let stop = i;
      while (stop > pos) {
        const c = codes[stop - 1]!;
        if (c !== 13 && c !== 10) break;
        stop--;
      }
      // stop === pos only for an empty segment ("~~"): nothing to emit.
      if (stop > pos) {
        offs[count] = stop + 1;
        this.#emit(codes, count, emit);
      }
      pos = skipBlankCodes(codes, n, i + 1);
      if (pos >= n || (!final && n - pos < 4) || codes[pos] === 73 /* I */) return pos;
    }
  }

  /** The delimiters of a file without an ISA, guessed from its first segment; null to wait for more data. */
  #detect(buf: string, pos: number, final: boolean): X12Delimiters | null {
    const n = buf.length;
    const detected = detectDelimiters(buf, pos, final);
    if (detected === NEED_MORE) return null;
    if (detected === null) {
      // Wait for 20 characters so the error reads the same however the data was chunked.
      if (!final && n - pos < 20) return null;
      throw new X12Error('not_x12', 'The data is not X12: it starts with neither an ISA header nor a segment', {
        segmentNumber: null,
        expected: 'ISA',
        found: buf.slice(pos, pos + 20),
      });
    }
    this.#delimiters = detected;
    this.#onWarning(
      x12Issue(
        'missing_envelope',
        `No ISA header: assumed "${detected.element}" between elements, "${printable(detected.segment)}" after segments, "${detected.component}" inside composites`,
        { segmentNumber: 1, expected: 'ISA', found: buf.slice(pos, buf.indexOf(detected.element, pos) + 1) },
      ),
    );
    return detected;
  }

  #tooLong(buf: string, pos: number, delimiters: X12Delimiters): X12Error {
    return new X12Error(
      'segment_too_long',
      `A segment is longer than ${this.#maxSegmentLength} characters: the segment terminator "${printable(delimiters.segment)}" is probably wrong`,
      { segmentNumber: this.#segmentNumber + 1, expected: delimiters.segment, found: buf.slice(pos, pos + 20) },
    );
  }

  /** Emits `buf[start, end)`, which holds no terminator, as one segment (the ISA; the last segment of a file). */
  #emitSpan(buf: string, codes: CharCodes, start: number, end: number, trim: boolean, emit: Emit): void {
    let stop = end;
    while (trim && stop > start) {
      const c = buf.charCodeAt(stop - 1);
      if (c !== 13 && c !== 10) break;
      stop--;
    }
    if (stop === start) return;
    const segment = this.#segment;
    const separator = this.#delimiters!.element;
    let offs = segment.offs;
    offs[0] = start;
    let count = 1;
    // indexOf rather than a loop per character: this runs once per interchange, too rarely to be worth compiling.
    for (let i = buf.indexOf(separator, start); i >= 0 && i < stop; i = buf.indexOf(separator, i + 1)) {
      if (count + 1 >= offs.length) offs = segment.grow();
      offs[count++] = i + 1;
    }
    offs[count] = stop + 1;
    segment.text = buf;
    segment.codes = codes;
    this.#emit(codes, count, emit);
  }

  /** Numbers the segment whose offsets are in place, and emits it. */
  #emit(codes: CharCodes, count: number, emit: Emit): void {
    const segment = this.#segment;
    const offs = segment.offs;
    const key = keyAt(codes, offs[0]!, offs[1]! - 1);
    const segmentNumber = ++this.#segmentNumber;
    const inSet = this.#setSegmentNumber;
    let setSegmentNumber = inSet > 0 ? inSet + 1 : 0;
    // The envelope's ids (ISA, IEA, GS, GE, ST, SE) start with I, G or S: a segment starting with any other
    // letter is only counted on, with no look at the envelope's keys (each a module constant V8 loads and checks).
    const first = codes[offs[0]!]!;
    if (first === 73 /* I */ || first === 71 /* G */ || first === 83 /* S */) {
      if (key === KEY_ST) setSegmentNumber = 1;
      else if (key === KEY_ISA || key === KEY_GS || key === KEY_GE || key === KEY_IEA) setSegmentNumber = 0;
      // SE closes its set: the next segment is outside it.
      this.#setSegmentNumber = key === KEY_SE ? 0 : setSegmentNumber;
    } else {
      this.#setSegmentNumber = setSegmentNumber;
    }
    segment.fill(key, count, segmentNumber, setSegmentNumber, this.#delimiters!);
    emit(segment);
  }
}

/**
 * Every segment of a source, in order, read in bounded memory. Warnings and
 * non-fatal errors go to the callbacks in `options`; `not_x12` and
 * `segment_too_long` are thrown as X12Error.
 */
export async function* tokenizeX12(source: X12Source, options: TokenizerOptions = {}): AsyncGenerator<X12Segment> {
  const tokenizer = new X12Tokenizer(options);
  const batch: X12Segment[] = [];
  const collect = (segment: X12Segment): void => {
    batch.push(segment);
  };
  for await (const chunk of chunksOf(source)) {
    tokenizer.push(chunk, collect);
    // Hand out a chunk's segments together: one await per chunk, not per segment.
    yield* batch;
    batch.length = 0;
  }
  tokenizer.end(collect);
  yield* batch;
}

/** All segments of a whole text at once (for small inputs and tests). */
export function readSegments(text: string, options: TokenizerOptions = {}): X12Segment[] {
  const tokenizer = new X12Tokenizer(options);
  const segments: X12Segment[] = [];
  const collect = (segment: X12Segment): void => {
    segments.push(segment);
  };
  tokenizer.push(text, collect);
  tokenizer.end(collect);
  return segments;
}

/** Any X12Source as chunks; whole strings and byte arrays are sliced so no single push is huge. */
export async function* chunksOf(source: X12Source): AsyncGenerator<X12Chunk> {
  if (typeof source === 'string') {
    for (let i = 0; i < source.length; i += SLICE_LENGTH) yield source.slice(i, i + SLICE_LENGTH);
    return;
  }
  if (source instanceof Uint8Array) {
    for (let i = 0; i < source.length; i += SLICE_LENGTH) yield source.subarray(i, i + SLICE_LENGTH);
    return;
  }
  if (Symbol.asyncIterator in source) {
    for await (const chunk of source) yield chunk;
    return;
  }
  for (const chunk of source) yield chunk;
}

interface IsaHeader {
  delimiters: X12Delimiters;
  /** Where the next segment starts (one past the terminator; ISA16 is two before it). */
  next: number;
}

function readIsaHeader(buf: string, pos: number, final: boolean, segmentNumber: number): IsaHeader | X12Error | typeof NEED_MORE {
  const n = buf.length;
  const element = buf[pos + 3]!;
  // Count separators rather than trusting fixed widths: not every sender pads ISA fields.
  // (indexOf rather than a loop per character: an interchange header is too rare to be worth V8 compiling its reader.)
  let separators = 0;
  let i = pos + 3;
  const limit = Math.min(n, pos + MAX_ISA_LENGTH);
  for (;;) {
    const at = buf.indexOf(element, i);
    if (at < 0 || at >= limit) {
      i = limit;
      break;
    }
    i = at;
    if (++separators === 16) break;
    i++;
  }
  // `found` stops at what is certainly buffered, so the error reads the same however the data was chunked.
  const invalid = (why: string, seen = pos + 40): X12Error =>
    new X12Error('invalid_envelope', `The ISA header cannot be read: ${why}; this interchange is skipped`, {
      segmentNumber,
      expected: 'ISA with 16 elements, then the segment terminator',
      found: buf.slice(pos, Math.min(seen, pos + 40)),
    });
  if (separators < 16) {
    if (!final && n < pos + MAX_ISA_LENGTH) return NEED_MORE;
    return invalid('fewer than 16 elements');
  }
  if (i + 2 >= n) {
    if (!final) return NEED_MORE;
    return invalid('it ends before its segment terminator');
  }
  const component = buf[i + 1]!;
  const segment = buf[i + 2]!;
  if (isAlphanumeric(component.charCodeAt(0)) || component === element) {
    return invalid(`"${component}" cannot be the component separator (ISA16)`, i + 3);
  }
  if (isAlphanumeric(segment.charCodeAt(0)) || segment === ' ' || segment === element || segment === component) {
    return invalid(`"${printable(segment)}" cannot be the segment terminator`, i + 3);
  }
  const isa11 = buf.slice(pos, i + 2).split(element)[11] ?? '';
  // Before 00402 ISA11 is the standards identifier ('U'), not a separator.
  // Some senders declare the same character in ISA11 and ISA16: it then
  // separates repeats in repeating simple elements (EB03) and components in
  // composites, which is how such files are written.
  const repetition =
    isa11.length === 1 &&
    !isAlphanumeric(isa11.charCodeAt(0)) &&
    isa11 !== ' ' &&
    isa11 !== element &&
    isa11 !== segment
      ? isa11
      : null;
  return { delimiters: { element, component, repetition, segment }, next: i + 3 };
}

function detectDelimiters(buf: string, pos: number, final: boolean): X12Delimiters | null | typeof NEED_MORE {
  const n = buf.length;
  if (!isUpperLetter(buf.charCodeAt(pos))) return null;
  let idEnd = pos + 1;
  while (idEnd < n && idEnd - pos < 3 && isUpperAlphanumeric(buf.charCodeAt(idEnd))) idEnd++;
  if (idEnd >= n) return final ? null : NEED_MORE;
  const element = buf[idEnd]!;
  if (idEnd - pos < 2 || isAlphanumeric(element.charCodeAt(0)) || isBlankCode(element.charCodeAt(0)) || element === '~') {
    return null;
  }
  const window = buf.slice(pos, pos + DETECT_WINDOW);
  let segment: string;
  if (window.includes('~')) segment = '~';
  else if (!final && n - pos < DETECT_WINDOW) return NEED_MORE;
  else if (window.includes('\n')) segment = '\n';
  else if (window.includes('\r')) segment = '\r';
  else segment = '~';
  return {
    element,
    segment,
    component: element === ':' ? '>' : ':',
    repetition: element === '^' ? null : '^',
  };
}

function findIsa(buf: string, from: number): number {
  let at = buf.indexOf('ISA', from);
  while (at >= 0) {
    if (at + 3 >= buf.length) return -1;
    if (isIsaAt(buf, at)) return at;
    at = buf.indexOf('ISA', at + 1);
  }
  return -1;
}

function isIsaAt(buf: string, pos: number): boolean {
  if (pos + 3 >= buf.length) return false;
  if (buf.charCodeAt(pos) !== 73 || buf.charCodeAt(pos + 1) !== 83 || buf.charCodeAt(pos + 2) !== 65) return false;
  const c = buf.charCodeAt(pos + 3);
  return !isAlphanumeric(c) && !isBlankCode(c);
}

/** Skips what may sit between segments: spaces, tabs, CR, LF, NUL padding and a byte-order mark. */
function skipBlank(buf: string, pos: number): number {
  const n = buf.length;
  while (pos < n && isBlankCode(buf.charCodeAt(pos))) pos++;
  return pos;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The codes' bytes as 32-bit words (word k is bytes 4k to 4k + 3, the first
 * in the low byte), when they are bytes that start on a 4-byte boundary on a
 * little-endian machine; else null. A view, not a copy.
 */
function wordsOf(codes: CharCodes): Int32Array | null {
  if (!LITTLE_ENDIAN || codes.BYTES_PER_ELEMENT !== 1 || (codes.byteOffset & 3) !== 0) return null;
  return new Int32Array(codes.buffer, codes.byteOffset, codes.length >>> 2);
}

/** skipBlank over a text's codes (`n` is its length). */
function skipBlankCodes(codes: CharCodes, n: number, pos: number): number {
  while (pos < n && isBlankCode(codes[pos]!)) pos++;
  return pos;
}

/**
 * A segment id (or any code of up to three ASCII characters) as a number:
 * the length, then seven bits per character. -1 for anything longer, empty
 * or not ASCII. Readers switch on it: comparing numbers, no strings built.
 */
export function idKey(text: string, start: number, end: number): number {
  const length = end - start;
  if (length === 0 || length > 3) return -1;
  let key = length;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) return -1;
    key = (key << 7) | c;
  }
  return key;
}

/** idKey over a text's codes: the same key, read from `codes[start, end)`. */
export function keyAt(codes: CharCodes, start: number, end: number): number {
  const length = end - start;
  if (length === 0 || length > 3) return -1;
  let key = length;
  for (let i = start; i < end; i++) {
    const c = codes[i]!;
    if (c > 127) return -1;
    key = (key << 7) | c;
  }
  return key;
}

/** The key of a segment id ('CLP'), for readers' switch cases. */
export function segmentKey(id: string): number {
  return idKey(id, 0, id.length);
}

// The envelope's segment keys: the tokenizer numbers a set's segments by them, the walker checks the envelope.
export const KEY_ISA = segmentKey('ISA');
export const KEY_GS = segmentKey('GS');
export const KEY_ST = segmentKey('ST');
export const KEY_SE = segmentKey('SE');
export const KEY_GE = segmentKey('GE');
export const KEY_IEA = segmentKey('IEA');

// Segment ids and the codes readers keep (CLP02, CAS02, NM108, HC…) are a few hundred short names: each is built
// once and kept, so a segment's id or a claim's codes cost no string each time they are read.
const KNOWN_IDS = [
  'ISA', 'GS', 'ST', 'SE', 'GE', 'IEA', 'BPR', 'TRN', 'CUR', 'REF', 'DTM', 'N1', 'N3', 'N4', 'PER', 'RDM', 'LX', 'TS3', 'TS2',
  'CLP', 'CAS', 'NM1', 'MIA', 'MOA', 'AMT', 'QTY', 'SVC', 'LQ', 'PLB', 'BHT', 'HL', 'DMG', 'DTP', 'AAA', 'EB', 'MSG', 'LS', 'LE',
  'INS', 'HSD', 'III', 'PRV', 'EQ', 'MPI',
];
// An open-addressing table from key to id: a look-up is a few array reads.
const ID_SLOTS = 2048;
const idKeys = new Int32Array(ID_SLOTS);
const idStrings: string[] = new Array<string>(ID_SLOTS).fill('');
let cachedIds = 0;
const MAX_CACHED_IDS = ID_SLOTS / 2;
for (const id of KNOWN_IDS) sharedText(segmentKey(id), id, 0, id.length);

/**
 * `text[start, end)`, whose key (`idKey`) is `key`: the kept string when
 * there is one, else a new one that is kept while there is room (anything
 * longer than three characters is simply built).
 */
export function sharedText(key: number, text: string, start: number, end: number): string {
  if (key < 0) return ownText(text, start, end);
  let slot = Math.imul(key, 0x9e3779b1) >>> 21;
  for (;;) {
    const held = idKeys[slot]!;
    if (held === key) return idStrings[slot]!;
    if (held === 0) return keepText(key, text, start, end, slot);
    slot = (slot + 1) & (ID_SLOTS - 1);
  }
}

/** A code met for the first time: built, and kept in the free `slot` while there is room. Apart from sharedText, whose hit is what every code runs. */
function keepText(key: number, text: string, start: number, end: number, slot: number): string {
  // A flat copy: the id outlives the text it was read from.
  const id = ownText(text, start, end);
  if (cachedIds >= MAX_CACHED_IDS) return id;
  cachedIds++;
  idKeys[slot] = key;
  idStrings[slot] = id;
  return id;
}

function isBlankCode(c: number): boolean {
  // A segment's first letter answers in two comparisons.
  return c <= 32 ? c === 32 || c === 10 || c === 13 || c === 9 || c === 0 || c === 11 || c === 12 : c === 0xfeff;
}

function isAlphanumeric(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isUpperLetter(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isUpperAlphanumeric(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
}

function printable(delimiter: string): string {
  if (delimiter === '\n') return '\\n';
  if (delimiter === '\r') return '\\r';
  return delimiter;
}
