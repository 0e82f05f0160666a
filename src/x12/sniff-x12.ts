/**
 * Why the start of a file cannot be X12, said so a person can fix it, or
 * null. Looks only at the first bytes, so a refusal costs nothing and comes
 * before anything is stored: an empty file, UTF-16 text (X12 is ASCII or
 * UTF-8), binary data, or segments that end with another character than the
 * ISA declares at its 106th position.
 */
export interface X12Refusal {
  code: 'empty_file' | 'utf16' | 'binary' | 'terminator_mismatch' | 'not_x12';
  message: string;
}

/** Enough to hold the ISA (106 characters) and the segments that follow it. */
export const SNIFF_BYTES = 4096;

const shown = (c: string): string => (c === '\n' ? '\\n (line feed)' : c === '\r' ? '\\r (carriage return)' : c === ' ' ? 'a space' : `"${c}"`);

export function sniffX12(head: Uint8Array, fileEnded: boolean): X12Refusal | null {
  if (head.length === 0) return { code: 'empty_file', message: 'The file is empty.' };
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) || looksUtf16(head)) {
    return { code: 'utf16', message: 'The file is UTF-16 text; X12 files are ASCII or UTF-8. Save it as UTF-8 (or ANSI) and import it again.' };
  }
  let text = Buffer.from(head).toString('latin1');
  if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3);
  text = text.replace(/^\s+/, '');
  if (binaryShare(text) > 0.05) return { code: 'binary', message: 'The file is binary data, not X12 text.' };
  if (!text.startsWith('ISA')) {
    if (!/^[A-Z][A-Z0-9]{1,2}[^A-Za-z0-9\s]/.test(text)) {
      return { code: 'not_x12', message: 'The file is not X12: it starts with neither an ISA header nor a segment.' };
    }
    return null;
  }
  if (text.length < 106) return fileEnded ? { code: 'not_x12', message: 'The file ends inside its ISA header (an ISA is 106 characters).' } : null;
  const elementSeparator = text[3]!;
  const terminator = text[105]!;
  const rest = text.slice(106);
  // Where the next segment (GS, or ST without a group) starts, what comes right before it is the terminator actually used.
  const next = new RegExp(`(GS|ST)\\${elementSeparator}`).exec(rest);
  if (!next) return null;
  let before = rest.slice(0, next.index);
  if (!/\s/.test(terminator)) before = before.replace(/\s+$/, '');
  if (before.length > 0 && !before.endsWith(terminator)) {
    return {
      code: 'terminator_mismatch',
      message: `The ISA declares ${shown(terminator)} as the segment terminator (its 106th character), but the segments end with ${shown(before.at(-1)!)}; the file cannot be read as declared.`,
    };
  }
  const after = rest.slice(next.index);
  const firstEnd = after.indexOf(terminator);
  if (firstEnd === -1 && (fileEnded || after.length > 1024)) {
    // The segments are most likely one per line: what ends the first one is the terminator in use.
    const line = /^([^\r\n]*)(\r?\n)/.exec(after);
    const last = line?.[1]?.at(-1);
    const used = line ? (last !== undefined && /[^A-Za-z0-9]/.test(last) && last !== elementSeparator ? last : '\n') : null;
    return {
      code: 'terminator_mismatch',
      message: `The ISA declares ${shown(terminator)} as the segment terminator (its 106th character), but the segments ${used ? `end with ${shown(used)}` : 'never use it'}; the file cannot be read as declared.`,
    };
  }
  return null;
}

/** Every other byte zero in the first bytes: UTF-16 without a byte-order mark. */
function looksUtf16(head: Uint8Array): boolean {
  const n = Math.min(head.length, 200);
  if (n < 8) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i++) if (head[i] === 0) (i % 2 === 0 ? even++ : odd++);
  return even > n / 4 || odd > n / 4;
}

function binaryShare(text: string): number {
  const n = Math.min(text.length, 1024);
  let odd = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 28 && c !== 29 && c !== 30 && c !== 31) || c === 127) odd++;
  }
  return n === 0 ? 0 : odd / n;
}
