import { X12Error, x12Issue, type X12Issue } from './errors.ts';

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

/**
 * A segment read from the text: its elements are found (offsets) but not
 * built. It lies in the text of the chunk it came from, whose segments share
 * one array of element offsets, so a segment costs one small object: no
 * string, no array of its own. Readers take the few elements they use
 * through `element(n)` (a string of its own, see `ownText`) or, for amounts
 * and dates, read them in place (`locateElement`); `elements` builds them all
 * on first use.
 */
class TextSegment implements X12Segment {
  #elements: string[] | undefined;
  constructor(
    public id: string,
    /** The text the segment lies in (the tokenizer's buffer when it was read). */
    public source: string,
    /** Element n starts at `starts[first + n]` and ends one character before element n + 1 starts (shared by the segments of one buffer). */
    public starts: readonly number[],
    public first: number,
    /** Elements in the segment, the id included. */
    public count: number,
    /** Where the last element ends (line-ending noise before the terminator left out). */
    public end: number,
    public segmentNumber: number,
    public setSegmentNumber: number,
    public delimiters: X12Delimiters,
  ) {}

  /** Makes this object the next segment (see `transient` in TokenizerOptions). */
  reuse(id: string, source: string, count: number, end: number, segmentNumber: number, setSegmentNumber: number, delimiters: X12Delimiters): void {
    this.id = id;
    this.source = source;
    this.count = count;
    this.end = end;
    this.segmentNumber = segmentNumber;
    this.setSegmentNumber = setSegmentNumber;
    this.delimiters = delimiters;
    this.#elements = undefined;
  }

  get elements(): readonly string[] {
    this.#elements ??= ownText(this.source, this.starts[this.first]!, this.end).split(this.delimiters.element);
    return this.#elements;
  }

  element(index: number): string {
    if (index >= this.count || index < 0) return '';
    const at = this.first + index;
    return ownText(this.source, this.starts[at]!, index + 1 < this.count ? this.starts[at + 1]! - 1 : this.end);
  }

  get elementCount(): number {
    return this.count;
  }

  /** Points `located` at element n (empty when absent). */
  locate(index: number): void {
    located.text = this.source;
    if (index >= this.count || index < 0) {
      located.start = located.end = 0;
      return;
    }
    const at = this.first + index;
    located.start = this.starts[at]!;
    located.end = index + 1 < this.count ? this.starts[at + 1]! - 1 : this.end;
  }
}

/** Where `locateElement` found an element: `text[start, end)`. Valid until the next call. */
export const located = { text: '', start: 0, end: 0 };

/** What the tokenizer's segments offer its readers beyond X12Segment. */
interface LocatableSegment extends X12Segment {
  locate(index: number): void;
  /** Elements in the segment, the id included (element n for n ≥ this is empty). */
  readonly elementCount: number;
}

/**
 * Points `located` at element n of a segment, so an amount or a date is read
 * without building its string. Readers only ever see the tokenizer's
 * segments; for anything else this is false and they use `element(n)`.
 */
export function locateElement(segment: X12Segment, index: number): boolean {
  const locatable = segment as Partial<LocatableSegment>;
  if (locatable.locate === undefined) return false;
  (segment as LocatableSegment).locate(index);
  return true;
}

/** How many elements a segment has, the id included; elements from there on are empty. */
export function elementCount(segment: X12Segment): number {
  const count = (segment as Partial<LocatableSegment>).elementCount;
  return count === undefined ? segment.elements.length : count;
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

/** A segment whose elements were built anyway (the ISA header). */
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

  locate(index: number): void {
    const value = this.elements[index] ?? '';
    located.text = value;
    located.start = 0;
    located.end = value.length;
  }

  get elementCount(): number {
    return this.elements.length;
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
   * Emit one segment object over and over, valid only during the `emit`
   * call (a reader that keeps nothing of the segment itself, as the
   * transaction-set walker's, saves an object per segment). Default false.
   */
  transient?: boolean;
}

type Emit = (segment: X12Segment) => void;

const DEFAULT_DELIMITERS: X12Delimiters = { element: '*', component: ':', repetition: '^', segment: '~' };

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
 * Throws X12Error only when nothing more can be read: `not_x12` and
 * `segment_too_long`.
 */
export class X12Tokenizer {
  #buffer = '';
  // Element offsets of the segments read from the current buffer (see TextSegment); a new array per buffer.
  #starts: number[] = [];
  #delimiters: X12Delimiters | null = null;
  // Streaming decode: a multi-byte character split across two chunks stays whole. It also drops a BOM.
  readonly #decoder = new TextDecoder('utf-8');
  #segmentNumber = 0;
  #setSegmentNumber = 0;
  // After a broken ISA header the interchange's delimiters are unknown: skip to the next ISA.
  #seekingIsa = false;
  #ended = false;
  readonly #onWarning: (issue: X12Issue) => void;
  readonly #onError: (error: X12Error) => void;
  readonly #maxSegmentLength: number;
  // With `transient`: the one segment emitted, and its own element offsets.
  readonly #transient: TextSegment | null;

  constructor(options: TokenizerOptions = {}) {
    this.#onWarning = options.onWarning ?? (() => {});
    this.#onError = options.onError ?? (() => {});
    this.#maxSegmentLength = options.maxSegmentLength ?? 1_000_000;
    this.#transient = options.transient ? new TextSegment('', '', [], 0, 0, 0, 0, 0, DEFAULT_DELIMITERS) : null;
  }

  /** Segments emitted so far. */
  get segmentCount(): number {
    return this.#segmentNumber;
  }

  push(chunk: X12Chunk, emit: Emit): void {
    if (this.#ended) throw new Error('X12Tokenizer: push after end');
    const text = typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    if (text.length === 0) return;
    this.#buffer = this.#buffer.length === 0 ? text : this.#buffer + text;
    this.#drain(emit, false);
  }

  /** Call once after the last chunk: emits what is left and reports a file cut mid-segment. */
  end(emit: Emit): void {
    if (this.#ended) return;
    this.#ended = true;
    const rest = this.#decoder.decode();
    if (rest.length > 0) this.#buffer += rest;
    this.#drain(emit, true);

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
      this.#starts = [];
      this.#emitText(text, 0, text.length, emit);
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

  #drain(emit: Emit, final: boolean): void {
    const buf = this.#buffer;
    this.#starts = [];
    const n = buf.length;
    let pos = 0;
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

      if (isIsaAt(buf, pos)) {
        const header = readIsaHeader(buf, pos, final, this.#segmentNumber + 1);
        if (header === NEED_MORE) break;
        if (header instanceof X12Error) {
          this.#onError(header);
          this.#seekingIsa = true;
          pos += 3;
          continue;
        }
        this.#delimiters = header.delimiters;
        this.#emitElements(header.elements, emit);
        pos = header.next;
        continue;
      }

      if (this.#delimiters === null) {
        const detected = detectDelimiters(buf, pos, final);
        if (detected === NEED_MORE) break;
        if (detected === null) {
          // Wait for 20 characters so the error reads the same however the data was chunked.
          if (!final && n - pos < 20) break;
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
      }

      const end = buf.indexOf(this.#delimiters.segment, pos);
      if (end < 0 ? n - pos > this.#maxSegmentLength : end - pos > this.#maxSegmentLength) {
        throw new X12Error(
          'segment_too_long',
          `A segment is longer than ${this.#maxSegmentLength} characters: the segment terminator "${printable(this.#delimiters.segment)}" is probably wrong`,
          { segmentNumber: this.#segmentNumber + 1, expected: this.#delimiters.segment, found: buf.slice(pos, pos + 20) },
        );
      }
      if (end < 0) break;
      this.#emitText(buf, pos, end, emit);
      pos = end + 1;
    }
    this.#buffer = pos >= n ? '' : buf.slice(pos);
  }

  #emitText(buf: string, start: number, end: number, emit: Emit): void {
    let stop = end;
    // CR/LF right before the terminator is line-ending noise (a CRLF file whose terminator is LF).
    while (stop > start) {
      const c = buf.charCodeAt(stop - 1);
      if (c !== 13 && c !== 10) break;
      stop--;
    }
    if (stop === start) return; // an empty segment, e.g. "~~"
    const separator = this.#delimiters!.element.charCodeAt(0);
    const transient = this.#transient;
    // A transient segment's offsets are overwritten from 0 each time; a kept one's follow the buffer's others.
    const starts = transient ? (transient.starts as number[]) : this.#starts;
    const first = transient ? 0 : starts.length;
    let k = first;
    starts[k++] = start;
    for (let i = start; i < stop; i++) if (buf.charCodeAt(i) === separator) starts[k++] = i + 1;
    const count = k - first;
    const id = segmentId(buf, start, count > 1 ? starts[first + 1]! - 1 : stop);
    this.#count(id);
    if (transient) {
      transient.reuse(id, buf, count, stop, this.#segmentNumber, this.#setSegmentNumber, this.#delimiters!);
      emit(transient);
    } else {
      emit(new TextSegment(id, buf, starts, first, count, stop, this.#segmentNumber, this.#setSegmentNumber, this.#delimiters!));
    }
    this.#afterEmit(id);
  }

  #emitElements(elements: string[], emit: Emit): void {
    const id = elements[0] ?? '';
    this.#count(id);
    emit(new ArraySegment(id, elements, this.#segmentNumber, this.#setSegmentNumber, this.#delimiters!));
    this.#afterEmit(id);
  }

  // The field is written on every path, not only on the rare envelope segments: a store first reached
  // after the method was optimized (the first SE, GE…) would throw the optimized code away.
  #count(id: string): void {
    this.#segmentNumber++;
    const inSet = this.#setSegmentNumber;
    this.#setSegmentNumber =
      id === 'ST' ? 1 : id === 'ISA' || id === 'GS' || id === 'GE' || id === 'IEA' ? 0 : inSet > 0 ? inSet + 1 : inSet;
  }

  /** After a segment is emitted: SE closes its set. */
  #afterEmit(id: string): void {
    const inSet = this.#setSegmentNumber;
    this.#setSegmentNumber = id === 'SE' ? 0 : inSet;
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
  elements: string[];
  /** Where the next segment starts. */
  next: number;
}

function readIsaHeader(buf: string, pos: number, final: boolean, segmentNumber: number): IsaHeader | X12Error | typeof NEED_MORE {
  const n = buf.length;
  const element = buf[pos + 3]!;
  // Count separators rather than trusting fixed widths: not every sender pads ISA fields.
  let separators = 0;
  let i = pos + 3;
  const limit = Math.min(n, pos + MAX_ISA_LENGTH);
  for (; i < limit; i++) {
    if (buf[i] === element && ++separators === 16) break;
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
  const elements = buf.slice(pos, i + 2).split(element);
  const isa11 = elements[11] ?? '';
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
  return { delimiters: { element, component, repetition, segment }, elements, next: i + 3 };
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

// Segment ids are a few dozen short names: each is built once, so a segment's id costs no string.
// The ids the readers switch on start as the literals themselves, so comparing them is one pointer check.
const KNOWN_IDS = [
  'ISA', 'GS', 'ST', 'SE', 'GE', 'IEA', 'BPR', 'TRN', 'CUR', 'REF', 'DTM', 'N1', 'N3', 'N4', 'PER', 'RDM', 'LX', 'TS3', 'TS2',
  'CLP', 'CAS', 'NM1', 'MIA', 'MOA', 'AMT', 'QTY', 'SVC', 'LQ', 'PLB', 'BHT', 'HL', 'DMG', 'DTP', 'AAA', 'EB', 'MSG', 'LS', 'LE',
  'INS', 'HSD', 'III', 'PRV', 'EQ', 'MPI',
];
// An open-addressing table from idKey to id: a look-up is a few array reads.
const ID_SLOTS = 2048;
const idKeys = new Int32Array(ID_SLOTS);
const idStrings: string[] = new Array<string>(ID_SLOTS).fill('');
let cachedIds = 0;
const MAX_CACHED_IDS = ID_SLOTS / 2;
for (const id of KNOWN_IDS) cachedId(idKey(id, 0, id.length), id, id);

/** The id kept for `key`, or (when there is room) `fresh`, kept from now on. */
function cachedId(key: number, fresh: string, fallback: string): string {
  let slot = Math.imul(key, 0x9e3779b1) >>> 21;
  for (;;) {
    const held = idKeys[slot]!;
    if (held === key) return idStrings[slot]!;
    if (held === 0) break;
    slot = (slot + 1) & (ID_SLOTS - 1);
  }
  if (cachedIds >= MAX_CACHED_IDS) return fallback;
  cachedIds++;
  idKeys[slot] = key;
  idStrings[slot] = fresh;
  return fresh;
}

/** A number for an id of up to three ASCII characters, -1 for any other. */
function idKey(buf: string, start: number, end: number): number {
  const length = end - start;
  if (length === 0 || length > 3) return -1;
  let key = length;
  for (let i = start; i < end; i++) {
    const c = buf.charCodeAt(i);
    if (c > 127) return -1;
    key = (key << 7) | c;
  }
  return key;
}

function segmentId(buf: string, start: number, end: number): string {
  const key = idKey(buf, start, end);
  if (key < 0) return buf.slice(start, end);
  let slot = Math.imul(key, 0x9e3779b1) >>> 21;
  for (;;) {
    const held = idKeys[slot]!;
    if (held === key) return idStrings[slot]!;
    if (held === 0) break;
    slot = (slot + 1) & (ID_SLOTS - 1);
  }
  const id = buf.slice(start, end);
  return cachedId(key, id, id);
}

function isBlankCode(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff || c === 0 || c === 11 || c === 12;
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
