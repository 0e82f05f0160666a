import PDFDocument from 'pdfkit';

/**
 * The building blocks of the patient paperwork PDFs (statements, receipts):
 * a US Letter page in the standard Helvetica fonts (nothing embedded, text as
 * real text), a cursor that moves down the page and breaks to a new one, and
 * tables, headings, rules and label/value lines drawn at it.
 */
export const PAGE = { width: 612, height: 792, margin: 48 };
export const RIGHT = PAGE.width - PAGE.margin;
export const CONTENT_WIDTH = RIGHT - PAGE.margin;
export const GREY = '#555555';
const RULE = '#bbbbbb';

export interface Column {
  title: string;
  width: number;
  align: 'left' | 'right';
}

/** "2026-03-02" as printed: 03/02/2026, never shifted by a time zone. */
export function usDate(date: string | null): string {
  if (!date) return '';
  const [y, m, d] = date.split('-');
  return `${m}/${d}/${y}`;
}

export class PdfPage {
  readonly doc: PDFKit.PDFDocument;
  /** Where the next thing is drawn. */
  y = PAGE.margin;
  private readonly done: Promise<Buffer>;
  private readonly continuedLabel: string;

  constructor(options: { title: string; author: string; subject: string; continuedLabel: string; compress?: boolean | undefined }) {
    this.doc = new PDFDocument({
      size: 'LETTER',
      margin: PAGE.margin,
      compress: options.compress ?? true,
      info: { Title: options.title, Author: options.author, Subject: options.subject },
    });
    this.continuedLabel = options.continuedLabel;
    const chunks: Buffer[] = [];
    this.done = new Promise<Buffer>((resolve, reject) => {
      this.doc.on('data', (chunk: Buffer) => chunks.push(chunk));
      this.doc.on('end', () => resolve(Buffer.concat(chunks)));
      this.doc.on('error', reject);
    });
  }

  /** Starts a new page (with a "continued" line) when `height` does not fit; `onNewPage` redraws a table header. */
  ensureSpace(height: number, onNewPage?: () => void) {
    if (this.y + height <= PAGE.height - PAGE.margin - 24) return;
    this.doc.addPage();
    this.y = PAGE.margin;
    this.doc.font('Helvetica').fontSize(8).fillColor(GREY).text(`${this.continuedLabel} · continued`, PAGE.margin, this.y, { lineBreak: false });
    this.y += 18;
    onNewPage?.();
  }

  rule(at = this.y) {
    this.doc.moveTo(PAGE.margin, at).lineTo(RIGHT, at).lineWidth(0.5).strokeColor(RULE).stroke();
  }

  row(columns: Column[], cells: string[], style: { bold?: boolean; size?: number; color?: string } = {}) {
    const size = style.size ?? 8;
    this.doc.font(style.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(size).fillColor(style.color ?? 'black');
    let x = PAGE.margin;
    let height = size + 4;
    columns.forEach((column, i) => {
      const text = cells[i] ?? '';
      const options = { width: column.width - 4, align: column.align };
      height = Math.max(height, this.doc.heightOfString(text, options) + 3);
      this.doc.text(text, x, this.y, options);
      x += column.width;
    });
    this.y += height;
  }

  header(columns: Column[]) {
    this.row(columns, columns.map((c) => c.title), { bold: true, size: 7.5, color: GREY });
    this.rule();
    this.y += 3;
  }

  heading(text: string) {
    this.ensureSpace(40);
    this.y += 10;
    this.doc.font('Helvetica-Bold').fontSize(11).fillColor('black').text(text, PAGE.margin, this.y, { lineBreak: false });
    this.y += 16;
  }

  /** The practice's name in large type and the document's name under it, with label/value facts on the right. */
  title(name: string, documentName: string, facts: Array<[string, string]>, under: string[] = []) {
    this.doc.font('Helvetica-Bold').fontSize(18).fillColor('black').text(name, PAGE.margin, this.y, { width: CONTENT_WIDTH - 190 });
    for (const line of under) this.doc.font('Helvetica').fontSize(9).fillColor(GREY).text(line, PAGE.margin, this.doc.y + 1, { width: CONTENT_WIDTH - 190 });
    this.doc.font('Helvetica').fontSize(10).fillColor(GREY).text(documentName, PAGE.margin, this.doc.y + 2, { width: CONTENT_WIDTH - 190 });
    let factY = this.y;
    for (const [label, value] of facts) {
      this.doc.font('Helvetica').fontSize(8).fillColor(GREY).text(label, RIGHT - 180, factY, { width: 80, lineBreak: false });
      this.doc.font('Helvetica-Bold').fontSize(9).fillColor('black').text(value, RIGHT - 100, factY, { width: 100, align: 'right', lineBreak: false });
      factY += 14;
    }
    this.y = Math.max(this.doc.y, factY) + 10;
  }

  /** One amount in a box: the figure the document is about. */
  boxedAmount(label: string, amount: string) {
    this.doc.rect(PAGE.margin, this.y, CONTENT_WIDTH, 34).lineWidth(1).strokeColor('black').stroke();
    this.doc.font('Helvetica-Bold').fontSize(12).fillColor('black').text(label, PAGE.margin + 10, this.y + 11, { lineBreak: false });
    this.doc.text(amount, RIGHT - 160, this.y + 11, { width: 150, align: 'right', lineBreak: false });
    this.y += 44;
  }

  /** A label on the left, its value on the right. */
  labelValue(label: string, value: string, style: { bold?: boolean } = {}) {
    this.ensureSpace(14);
    this.doc.font(style.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(style.bold ? 10 : 9).fillColor('black').text(label, PAGE.margin, this.y, { width: 300, lineBreak: false });
    this.doc.text(value, RIGHT - 150, this.y, { width: 150, align: 'right', lineBreak: false });
    this.y += style.bold ? 16 : 13;
  }

  /** A sentence in small grey type across the page. */
  note(text: string, size = 8) {
    this.ensureSpace(24);
    this.doc.font('Helvetica').fontSize(size).fillColor(GREY).text(text, PAGE.margin, this.y, { width: CONTENT_WIDTH });
    this.y = this.doc.y + 4;
  }

  /** Ends the document and gives its bytes. */
  finish(): Promise<Buffer> {
    this.doc.end();
    return this.done;
  }
}
