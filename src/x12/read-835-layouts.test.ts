import { describe, expect, it } from 'vitest';
import { DELIMITER_PROFILE_NAMES, generate835 } from './generate-835.ts';
import { read835, read835Text, stream835 } from './read-835.ts';
import type { Claim835, Remittance835Summary } from './remittance-835.ts';

// The reader finds segments and elements by offsets in one scan; these hold it to reading the same
// remittance whatever the delimiters, the line layout and the chunking, and stream835 to read835.

describe('one remittance in every delimiter layout', () => {
  it.each(['5010', '4010'] as const)('reads to the same result in every profile (%s)', (version) => {
    const read = (profile: (typeof DELIMITER_PROFILE_NAMES)[number]) =>
      read835Text(generate835({ seed: 31, claims: 80, claimsPerTransaction: 15, profile, version, otherTransactionSets: true }).text);
    const standard = read('standard');
    expect(standard.errors).toEqual([]);
    expect(standard.transactions.flatMap((t) => t.claims)).toHaveLength(80);
    for (const profile of DELIMITER_PROFILE_NAMES) expect(read(profile), profile).toEqual(standard);
  });

  it('reads bytes, the whole text and small chunks alike', async () => {
    const { text } = generate835({ seed: 33, claims: 90, claimsPerTransaction: 20, profile: 'mixed', bom: true, otherTransactionSets: true });
    const whole = read835Text(text);
    expect(await read835(Buffer.from(text, 'utf8'))).toEqual(whole);
    const pieces: string[] = [];
    for (let at = 0, size = 1; at < text.length; at += size, size = (size * 7) % 97 + 1) pieces.push(text.slice(at, at + size));
    const chunked = await read835(pieces);
    expect(chunked).toEqual(whole);
  });
});

describe('UTF-8 bytes cut inside their characters', () => {
  it('read the names as the whole text does, and ASCII chunks beside them alike', async () => {
    const { text: ascii } = generate835({ seed: 36, claims: 60, claimsPerTransaction: 20 });
    // Names in other scripts (two-, three- and four-byte characters), so some chunks are ASCII and some are not.
    let names = 0;
    const text = ascii.replace(/NM1\*QC\*1\*([A-Z]+)\*/g, (whole, last: string) =>
      names++ % 3 === 0 ? `NM1*QC*1*${last}É李😀*` : whole,
    );
    const whole = read835Text(text);
    const patients = whole.transactions.flatMap((t) => t.claims).map((claim) => claim.patient?.lastName ?? '');
    expect(patients.filter((name) => name.endsWith('É李😀'))).toHaveLength(20);
    const bytes = Buffer.from(text, 'utf8');
    for (const size of [1, 2, 3, 5, 64, 4093]) {
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < bytes.length; at += size) chunks.push(new Uint8Array(bytes.subarray(at, at + size)));
      expect(await read835(chunks), `${size}-byte chunks`).toEqual(whole);
    }
  });
});

describe('stream835 against read835', () => {
  it('yields the claims read835 returns, each set closed by its summary', async () => {
    const { text } = generate835({ seed: 32, claims: 120, claimsPerTransaction: 25, profile: 'crlf-indented', otherTransactionSets: true });
    const whole = read835Text(text);
    const sets: { claims: Claim835[]; summary: Remittance835Summary }[] = [];
    let claims: Claim835[] = [];
    let skipped = 0;
    for await (const event of stream835([text.slice(0, 5000), text.slice(5000)])) {
      if (event.type === 'claim') claims.push(event.claim);
      else if (event.type === 'transaction') {
        sets.push({ claims, summary: event.transaction });
        claims = [];
      } else if (event.type === 'skipped') skipped++;
      else throw new Error(`unexpected ${event.type}`);
    }
    expect(claims).toEqual([]);
    expect(skipped).toBe(whole.skipped.length);
    expect(sets.map(({ claims, summary }) => ({ ...summary, claims }))).toEqual(whole.transactions);
  });

  it('closes its source when the caller stops early, and is done after', async () => {
    const { text } = generate835({ seed: 34, claims: 400 });
    let closed = false;
    async function* source(): AsyncGenerator<string> {
      try {
        for (let at = 0; at < text.length; at += 4096) yield text.slice(at, at + 4096);
      } finally {
        closed = true;
      }
    }
    const stream = stream835(source());
    for await (const event of stream) if (event.type === 'claim') break;
    expect(closed).toBe(true);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('answers calls made before the previous one settled, in order', async () => {
    const { text } = generate835({ seed: 35, claims: 30 });
    const expected: string[] = [];
    for await (const event of stream835([text])) expected.push(event.type);
    const stream = stream835([text]);
    const steps = await Promise.all(Array.from({ length: expected.length + 2 }, () => stream.next()));
    expect(steps.map((step) => (step.done ? 'done' : step.value.type))).toEqual([...expected, 'done', 'done']);
  });
});
