import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { X12Error, type X12Issue } from './errors.ts';
import { readSegments, tokenizeX12, X12Tokenizer, type X12Segment } from './tokenizer.ts';

/** An ISA header with the given delimiters, fields padded as the standard says. */
function isa(element: string, repetition: string, component: string, terminator: string, control = '000000001', version = '00501'): string {
  return [
    'ISA', '00', ' '.repeat(10), '00', ' '.repeat(10), 'ZZ', 'SENDER'.padEnd(15), 'ZZ', 'RECEIVER'.padEnd(15),
    '260301', '1200', repetition, version, control, '0', 'P', component,
  ].join(element) + terminator;
}

const BODY = ['GS*HP*S*R*20260301*1200*1*X*005010X221A1', 'ST*835*0001', 'BPR*I*10*C*CHK************20260301', 'CLP*A1*1*10*10', 'SVC*HC:99213:25*10*10', 'SE*5*0001', 'GE*1*1', 'IEA*1*000000001'];

/** The body above written with other delimiters. */
function body(element: string, component: string, terminator: string, between = ''): string {
  return BODY.map((s) => s.replaceAll('*', element).replaceAll(':', component) + terminator + between).join('');
}

function shape(segments: readonly X12Segment[]): string[][] {
  return segments.map((s) => [...s.elements]);
}

function collect(text: string): { segments: X12Segment[]; warnings: X12Issue[]; errors: X12Error[] } {
  const warnings: X12Issue[] = [];
  const errors: X12Error[] = [];
  const segments = readSegments(text, { onWarning: (w) => warnings.push(w), onError: (e) => errors.push(e) });
  return { segments, warnings, errors };
}

describe('X12Tokenizer', () => {
  it('takes its delimiters from the ISA header', () => {
    const text = isa('|', '^', '>', '\n') + body('|', '>', '\n');
    const { segments, warnings } = collect(text);
    expect(warnings).toEqual([]);
    expect(segments.map((s) => s.id)).toEqual(['ISA', 'GS', 'ST', 'BPR', 'CLP', 'SVC', 'SE', 'GE', 'IEA']);
    const svc = segments[5]!;
    expect(svc.elements[1]).toBe('HC>99213>25');
    expect(svc.delimiters).toEqual({ element: '|', component: '>', repetition: '^', segment: '\n' });
    expect(segments[0]!.elements).toHaveLength(17);
  });

  it('numbers segments in the file and inside their transaction set', () => {
    const { segments } = collect(isa('*', '^', ':', '~') + body('*', ':', '~'));
    expect(segments.map((s) => [s.id, s.segmentNumber, s.setSegmentNumber])).toEqual([
      ['ISA', 1, 0], ['GS', 2, 0], ['ST', 3, 1], ['BPR', 4, 2], ['CLP', 5, 3], ['SVC', 6, 4], ['SE', 7, 5], ['GE', 8, 0], ['IEA', 9, 0],
    ]);
  });

  it.each([
    ['a byte-order mark', '\uFEFF', '~', ''],
    ['CRLF after each terminator', '', '~', '\r\n'],
    ['indented segments', '', '~', '\n    \t'],
    ['blank lines between segments', '', '~', '\n\n'],
  ])('reads %s the same as a plain file', (_name, prefix, terminator, between) => {
    const plain = collect(isa('*', '^', ':', '~') + body('*', ':', '~'));
    const text = prefix + isa('*', '^', ':', terminator) + between + body('*', ':', terminator, between);
    const read = collect(text);
    expect(read.warnings).toEqual([]);
    expect(shape(read.segments)).toEqual(shape(plain.segments));
  });

  it('reads files whose segment terminator is the newline, with or without CR', () => {
    const plain = shape(collect(isa('*', '^', ':', '~') + body('*', ':', '~')).segments);
    expect(shape(collect(isa('*', '^', ':', '\n') + body('*', ':', '\n')).segments)).toEqual(plain);
    expect(shape(collect(isa('*', '^', ':', '\r') + '\n' + body('*', ':', '\r', '\n')).segments)).toEqual(plain);
    // The last segment may lack its newline.
    expect(shape(collect((isa('*', '^', ':', '\n') + body('*', ':', '\n')).trimEnd()).segments)).toEqual(plain);
  });

  it('reads several interchanges, each with its own delimiters', () => {
    const text =
      isa('*', '^', ':', '~') + body('*', ':', '~', '\n') +
      isa('|', '{', '>', '\n') + body('|', '>', '\n') +
      isa('^', '}', '<', '\\') + body('^', '<', '\\');
    const { segments, warnings } = collect(text);
    expect(warnings).toEqual([]);
    const svcs = segments.filter((s) => s.id === 'SVC');
    expect(svcs.map((s) => s.elements[1])).toEqual(['HC:99213:25', 'HC>99213>25', 'HC<99213<25']);
    expect(svcs.map((s) => s.delimiters.repetition)).toEqual(['^', '{', '}']);
    expect(segments).toHaveLength(27);
  });

  it('knows 4010 has no repetition separator (ISA11 is "U")', () => {
    const { segments } = collect(isa('*', 'U', ':', '~', '000000001', '00401') + body('*', ':', '~'));
    expect(segments[0]!.delimiters.repetition).toBeNull();
  });

  it('falls back to * ~ : without an envelope, and says so', () => {
    const text = BODY.slice(1, 6).join('~') + '~';
    const { segments, warnings } = collect(text);
    expect(segments.map((s) => s.id)).toEqual(['ST', 'BPR', 'CLP', 'SVC', 'SE']);
    expect(warnings.map((w) => w.code)).toEqual(['missing_envelope']);
    expect(segments[3]!.delimiters).toEqual({ element: '*', component: ':', repetition: '^', segment: '~' });
  });

  it('falls back to newline-terminated segments without an envelope or a ~', () => {
    const { segments } = collect(BODY.slice(1, 6).join('\r\n'));
    expect(segments.map((s) => s.id)).toEqual(['ST', 'BPR', 'CLP', 'SVC', 'SE']);
    expect(segments[4]!.elements).toEqual(['SE', '5', '0001']);
  });

  it('reports a file cut mid-segment as a truncated warning and does not read the fragment', () => {
    const text = isa('*', '^', ':', '~') + body('*', ':', '~');
    const cut = text.slice(0, text.indexOf('CLP*A1') + 9);
    const { segments, warnings } = collect(cut);
    expect(segments.map((s) => s.id)).toEqual(['ISA', 'GS', 'ST', 'BPR']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'truncated', segmentNumber: 5, expected: '~', found: 'CLP*A1*1*' });
  });

  it('accepts a last IEA without its terminator', () => {
    const text = (isa('*', '^', ':', '~') + body('*', ':', '~')).slice(0, -1);
    const { segments, warnings } = collect(text);
    expect(warnings).toEqual([]);
    expect(segments.at(-1)!.elements).toEqual(['IEA', '1', '000000001']);
  });

  it('skips an interchange whose ISA cannot be read, and reads the next one', () => {
    const broken = 'ISA*00*short*header~GS*HP~ST*835*1~SE*2*1~';
    const good = isa('*', '^', ':', '~') + body('*', ':', '~');
    const { segments, errors } = collect(broken + good);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('invalid_envelope');
    expect(errors[0]!.segmentNumber).toBe(1);
    expect(segments.map((s) => s.id)).toEqual(['ISA', 'GS', 'ST', 'BPR', 'CLP', 'SVC', 'SE', 'GE', 'IEA']);
  });

  it('throws not_x12 for data that is not X12', () => {
    expect(() => readSegments('hello, world')).toThrow(X12Error);
    try {
      readSegments('{"json": true}');
    } catch (error) {
      expect((error as X12Error).code).toBe('not_x12');
    }
  });

  it('throws segment_too_long when the terminator never comes', () => {
    const tokenizer = new X12Tokenizer({ maxSegmentLength: 1000 });
    const emit = (): void => {};
    tokenizer.push(isa('*', '^', ':', '~'), emit);
    expect(() => tokenizer.push('N3*' + 'A'.repeat(2000), emit)).toThrow(/longer than 1000/);
  });

  it('gives the same segments whatever the chunk boundaries', () => {
    const text = '\uFEFF' + isa('*', '^', ':', '~') + body('*', ':', '~', '\r\n') + isa('|', '^', '>', '\n') + body('|', '>', '\n');
    const whole = shape(collect(text).segments);
    for (let cut = 0; cut <= text.length; cut++) {
      const tokenizer = new X12Tokenizer();
      const segments: X12Segment[] = [];
      const emit = (s: X12Segment): void => {
        segments.push(s);
      };
      tokenizer.push(text.slice(0, cut), emit);
      tokenizer.push(text.slice(cut), emit);
      tokenizer.end(emit);
      expect(shape(segments), `cut at ${cut}`).toEqual(whole);
    }
  });

  it('gives the same segments from bytes at every alignment and chunk size (the scan reads aligned words)', () => {
    // Separators and terminators at every position within a word, a segment longer than the offsets first made, CRLF.
    const long = 'REF' + '*X'.repeat(150);
    const text = isa('*', '^', ':', '~') + body('*', ':', '~', '\r\n') + `${long}~**~A*B~AB*C*D*E~` + isa('|', '^', '>', '\n') + body('|', '>', '\n');
    const whole = shape(collect(text).segments);
    const bytes = Buffer.from(text, 'latin1');
    for (const size of [1, 2, 3, 4, 5, 7, 8, 64, 333, bytes.length]) {
      for (let shift = 0; shift < 4; shift++) {
        const tokenizer = new X12Tokenizer();
        const segments: X12Segment[] = [];
        const emit = (s: X12Segment): void => {
          segments.push(s);
        };
        for (let at = 0; at < bytes.length; at += size) {
          const piece = bytes.subarray(at, at + size);
          // The chunk lies `shift` bytes into its buffer: aligned for 0, not for 1–3.
          const store = new Uint8Array(piece.length + shift);
          store.set(piece, shift);
          tokenizer.push(store.subarray(shift), emit);
        }
        tokenizer.end(emit);
        expect(shape(segments), `chunks of ${size} at offset ${shift}`).toEqual(whole);
      }
    }
  });

  it('keeps multi-byte characters whole when bytes are split inside them', async () => {
    const text = isa('*', '^', ':', '~') + 'GS*HP*S*R*20260301*1200*1*X*005010X221A1~ST*835*1~NM1*QC*1*MÜLLER*JOSÉ~SE*3*1~GE*1*1~IEA*1*000000001~';
    const bytes = Buffer.from(text, 'utf8');
    // One byte at a time: every multi-byte character is split.
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    const segments: X12Segment[] = [];
    for await (const segment of tokenizeX12(Readable.from(chunks))) segments.push(segment);
    expect(segments.find((s) => s.id === 'NM1')!.elements).toEqual(['NM1', 'QC', '1', 'MÜLLER', 'JOSÉ']);
    expect(segments).toHaveLength(7);
  });

  it('strips a byte-order mark from bytes too', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(isa('*', '^', ':', '~') + body('*', ':', '~'))]);
    const ids: string[] = [];
    for await (const segment of tokenizeX12(bytes)) ids.push(segment.id);
    expect(ids[0]).toBe('ISA');
    expect(ids).toHaveLength(9);
  });
});
