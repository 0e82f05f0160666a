import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Utf8Chunks } from './utf8-chunks.ts';

/** What a streaming TextDecoder makes of the same bytes cut at the same places. */
function viaTextDecoder(chunks: readonly Uint8Array[]): string {
  const decoder = new TextDecoder('utf-8');
  return chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join('') + decoder.decode();
}

function viaUtf8Chunks(chunks: readonly Uint8Array[]): string {
  const decoder = new Utf8Chunks();
  return chunks.map((chunk) => decoder.decode(chunk)).join('') + decoder.end();
}

function cut(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

// Lead bytes of every length, continuation bytes, bytes that are never valid, a BOM's bytes and ASCII.
const TRICKY = [0x41, 0x2a, 0x7e, 0x80, 0x8f, 0x90, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xbb, 0xf0, 0xf4, 0xf5, 0xff];

describe('Utf8Chunks decodes as a streaming TextDecoder does', () => {
  it('whole characters, cut characters, malformed sequences and a leading BOM, cut anywhere', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...TRICKY), { maxLength: 24 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (codes, bom, cuts) => {
          const bytes = Uint8Array.from(bom ? [0xef, 0xbb, 0xbf, ...codes] : codes);
          const chunks = cut(bytes, cuts);
          expect(viaUtf8Chunks(chunks)).toBe(viaTextDecoder(chunks));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('text in every script, cut inside its characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
        const chunks = cut(Buffer.from(text, 'utf8'), cuts);
        expect(viaUtf8Chunks(chunks)).toBe(viaTextDecoder(chunks));
      }),
      { numRuns: 1000 },
    );
  });

  it('drops a byte-order mark only at the very start', () => {
    const bom = [0xef, 0xbb, 0xbf];
    const bytes = Uint8Array.from([...bom, 0x41, ...bom, 0x42]);
    expect(viaUtf8Chunks([bytes.subarray(0, 1), bytes.subarray(1, 5), bytes.subarray(5)])).toBe('A\uFEFFB');
  });
});
