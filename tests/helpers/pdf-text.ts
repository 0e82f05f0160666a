import zlib from 'node:zlib';

/**
 * The text a PDF shows, read the way a viewer would: each content stream
 * (inflated when FlateDecode), each text-showing operator (TJ, Tj) decoded from
 * its hex or literal strings. Enough for PDFs drawn with pdfkit's standard
 * fonts (WinAnsi, one byte per character); one line per operator.
 */
export function pdfText(pdf: Buffer): string {
  const out: string[] = [];
  let from = 0;
  for (;;) {
    const start = pdf.indexOf('stream', from, 'latin1');
    if (start < 0) break;
    // "endstream" also contains "stream": only a keyword followed by an end of line opens one.
    let dataStart = start + 'stream'.length;
    if (pdf[dataStart] === 0x0d) dataStart++;
    if (pdf[dataStart] !== 0x0a || pdf.subarray(start - 3, start).toString('latin1') === 'end') {
      from = start + 1;
      continue;
    }
    dataStart++;
    const end = pdf.indexOf('endstream', dataStart, 'latin1');
    if (end < 0) break;
    const dictionary = pdf.subarray(Math.max(0, start - 300), start).toString('latin1');
    const dictStart = dictionary.lastIndexOf('<<');
    const filter = dictStart >= 0 ? dictionary.slice(dictStart) : '';
    let data = pdf.subarray(dataStart, end);
    if (/\/FlateDecode/.test(filter)) {
      try {
        data = zlib.inflateSync(data);
      } catch {
        data = Buffer.alloc(0);
      }
    }
    out.push(...textOperators(data.toString('latin1')));
    from = end + 'endstream'.length;
  }
  return out.join('\n');
}

function textOperators(content: string): string[] {
  const lines: string[] = [];
  const operator = /\[((?:<[0-9a-fA-F\s]*>|\((?:\\.|[^\\)])*\)|[-\d.\s])*)\]\s*TJ|(<[0-9a-fA-F\s]*>|\((?:\\.|[^\\)])*\))\s*Tj/g;
  for (const match of content.matchAll(operator)) {
    const body = match[1] ?? match[2] ?? '';
    let text = '';
    for (const part of body.matchAll(/<([0-9a-fA-F\s]*)>|\(((?:\\.|[^\\)])*)\)/g)) {
      if (part[1] !== undefined) text += Buffer.from(part[1].replace(/\s/g, ''), 'hex').toString('latin1');
      else text += (part[2] ?? '').replace(/\\([nrtbf()\\])/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' })[c] ?? c);
    }
    lines.push(text);
  }
  return lines;
}

/** How many pages the PDF says it has (the page tree's /Count). */
export function pdfPageCount(pdf: Buffer): number {
  const counts = [...pdf.toString('latin1').matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)/gs)].map((m) => Number(m[1]));
  const pages = pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length ?? 0;
  return Math.max(pages, ...counts);
}
