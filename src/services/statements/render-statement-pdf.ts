import PDFDocument from 'pdfkit';
import { formatCents } from '../../domain/money.ts';
import type { Statement } from './gather-statement.ts';

const PAGE = { width: 612, height: 792, margin: 48 };
const RIGHT = PAGE.width - PAGE.margin;
const CONTENT_WIDTH = RIGHT - PAGE.margin;
const GREY = '#555555';
const RULE = '#bbbbbb';

type Align = 'left' | 'right';
interface Column {
  title: string;
  width: number;
  align: Align;
}

/** Visits: the date, what was done, then the money from charge to balance. */
const visitColumns: Column[] = [
  { title: 'Date', width: 58, align: 'left' },
  { title: 'Service', width: 142, align: 'left' },
  { title: 'Charges', width: 54, align: 'right' },
  { title: 'Insurance paid', width: 54, align: 'right' },
  { title: 'Adjustments', width: 54, align: 'right' },
  { title: 'Your share', width: 50, align: 'right' },
  { title: 'You paid', width: 50, align: 'right' },
  { title: 'Balance', width: 54, align: 'right' },
];

const paymentColumns: Column[] = [
  { title: 'Date', width: 70, align: 'left' },
  { title: 'Payment', width: 90, align: 'left' },
  { title: 'Method', width: 90, align: 'left' },
  { title: 'Amount', width: 86, align: 'right' },
  { title: 'Refunded', width: 86, align: 'right' },
  { title: 'Applied to visits', width: 94, align: 'right' },
];

/** "2026-03-02" as printed: 03/02/2026, never shifted by a time zone. */
function usDate(date: string | null): string {
  if (!date) return '';
  const [y, m, d] = date.split('-');
  return `${m}/${d}/${y}`;
}

/**
 * Draws a patient statement (SPEC section 7) as a PDF: the practice, the
 * account ID and patient, each visit with charges, insurance paid,
 * adjustments, the patient's share, payments and balance; the payments; the
 * credits; the balance due; and how to pay online. US Letter, the standard
 * Helvetica fonts (nothing embedded), text as real text.
 */
export function renderStatementPdf(statement: Statement, options: { compress?: boolean } = {}): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'LETTER',
    margin: PAGE.margin,
    compress: options.compress ?? true,
    info: {
      Title: `Statement ${statement.patient.accountId} ${statement.statementDate}`,
      Author: statement.practice.name,
      Subject: 'Patient statement',
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  let y = PAGE.margin;
  const ensureSpace = (height: number, onNewPage?: () => void) => {
    if (y + height <= PAGE.height - PAGE.margin - 24) return;
    doc.addPage();
    y = PAGE.margin;
    doc.font('Helvetica').fontSize(8).fillColor(GREY).text(`${statement.practice.name} · Account ${statement.patient.accountId} · continued`, PAGE.margin, y, { lineBreak: false });
    y += 18;
    onNewPage?.();
  };
  const rule = (at: number) => {
    doc.moveTo(PAGE.margin, at).lineTo(RIGHT, at).lineWidth(0.5).strokeColor(RULE).stroke();
  };
  const row = (columns: Column[], cells: string[], style: { bold?: boolean; size?: number; color?: string } = {}) => {
    const size = style.size ?? 8;
    doc.font(style.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(size).fillColor(style.color ?? 'black');
    let x = PAGE.margin;
    let height = size + 4;
    columns.forEach((column, i) => {
      const text = cells[i] ?? '';
      const options = { width: column.width - 4, align: column.align };
      height = Math.max(height, doc.heightOfString(text, options) + 3);
      doc.text(text, x, y, options);
      x += column.width;
    });
    y += height;
  };
  const header = (columns: Column[]) => {
    row(columns, columns.map((c) => c.title), { bold: true, size: 7.5, color: GREY });
    rule(y);
    y += 3;
  };
  const heading = (text: string) => {
    ensureSpace(40);
    y += 10;
    doc.font('Helvetica-Bold').fontSize(11).fillColor('black').text(text, PAGE.margin, y, { lineBreak: false });
    y += 16;
  };

  // Practice and patient.
  doc.font('Helvetica-Bold').fontSize(18).fillColor('black').text(statement.practice.name, PAGE.margin, y, { width: CONTENT_WIDTH - 190 });
  doc.font('Helvetica').fontSize(10).fillColor(GREY).text('Patient statement', PAGE.margin, doc.y + 2, { width: CONTENT_WIDTH - 190 });
  const facts: Array<[string, string]> = [
    ['Statement date', usDate(statement.statementDate)],
    ['Account ID', statement.patient.accountId],
    ['Patient', statement.patient.name],
  ];
  let factY = y;
  for (const [label, value] of facts) {
    doc.font('Helvetica').fontSize(8).fillColor(GREY).text(label, RIGHT - 180, factY, { width: 80, lineBreak: false });
    doc.font('Helvetica-Bold').fontSize(9).fillColor('black').text(value, RIGHT - 100, factY, { width: 100, align: 'right', lineBreak: false });
    factY += 14;
  }
  y = Math.max(doc.y, factY) + 10;

  // The amount due, boxed.
  doc.rect(PAGE.margin, y, CONTENT_WIDTH, 34).lineWidth(1).strokeColor('black').stroke();
  doc.font('Helvetica-Bold').fontSize(12).fillColor('black').text('Balance due', PAGE.margin + 10, y + 11, { lineBreak: false });
  doc.text(formatCents(statement.balanceDueCents), RIGHT - 160, y + 11, { width: 150, align: 'right', lineBreak: false });
  y += 44;

  // Visits.
  heading('Visits');
  if (statement.visits.length === 0) {
    doc.font('Helvetica').fontSize(9).fillColor(GREY).text('No visits on this account.', PAGE.margin, y);
    y = doc.y + 4;
  } else {
    header(visitColumns);
    for (const visit of statement.visits) {
      ensureSpace(14 + visit.lines.length * 11, () => header(visitColumns));
      const service = `${visit.physician}, ${visit.locationName}${visit.insurancePending ? ' (insurance pending)' : ''}`;
      row(visitColumns, [
        usDate(visit.serviceDate),
        service,
        formatCents(visit.chargeCents),
        formatCents(visit.insurancePaidCents),
        formatCents(visit.adjustmentCents),
        formatCents(visit.patientResponsibilityCents),
        formatCents(visit.paidCents),
        formatCents(visit.balanceCents),
      ]);
      for (const line of visit.lines) {
        row(visitColumns, ['', `CPT ${line.cpt}${line.units > 1 ? ` x ${line.units}` : ''}`, formatCents(line.chargeCents)], { size: 7, color: GREY });
      }
      y += 2;
    }
    ensureSpace(18);
    rule(y);
    y += 3;
    const t = statement.totals;
    row(
      visitColumns,
      ['Total', '', formatCents(t.chargeCents), formatCents(t.insurancePaidCents), formatCents(t.adjustmentCents), formatCents(t.patientResponsibilityCents), formatCents(t.paidCents), formatCents(statement.balanceDueCents)],
      { bold: true },
    );
  }

  // Patient payments.
  heading('Your payments');
  if (statement.payments.length === 0) {
    doc.font('Helvetica').fontSize(9).fillColor(GREY).text('No payments received.', PAGE.margin, y);
    y = doc.y + 4;
  } else {
    header(paymentColumns);
    for (const payment of statement.payments) {
      ensureSpace(12, () => header(paymentColumns));
      row(paymentColumns, [
        usDate(payment.date),
        payment.number,
        payment.method,
        formatCents(payment.amountCents),
        formatCents(payment.refundedCents),
        formatCents(payment.appliedCents),
      ]);
    }
  }

  // Summary.
  heading('Summary');
  const summary: Array<[string, string]> = [
    ['Your share of all visits', formatCents(statement.totals.patientResponsibilityCents)],
    ['Payments and credits applied to visits', formatCents(-statement.totals.paidCents)],
    ['Payments received, not yet applied to a visit', formatCents(statement.unappliedCents)],
    ['Credit on your account', formatCents(statement.creditCents)],
  ];
  for (const [label, value] of summary) {
    ensureSpace(14);
    doc.font('Helvetica').fontSize(9).fillColor('black').text(label, PAGE.margin, y, { width: 300, lineBreak: false });
    doc.text(value, RIGHT - 150, y, { width: 150, align: 'right', lineBreak: false });
    y += 13;
  }
  ensureSpace(16);
  rule(y);
  y += 4;
  doc.font('Helvetica-Bold').fontSize(10).text('Balance due', PAGE.margin, y, { width: 300, lineBreak: false });
  doc.text(formatCents(statement.balanceDueCents), RIGHT - 150, y, { width: 150, align: 'right', lineBreak: false });
  y += 16;
  if (statement.creditCents > 0 || statement.unappliedCents > 0) {
    ensureSpace(24);
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor(GREY)
      .text('Our office applies money received and credits to your visits as your insurance settles them.', PAGE.margin, y, { width: CONTENT_WIDTH });
    y = doc.y + 4;
  }

  // How to pay.
  heading('How to pay');
  ensureSpace(60);
  doc.font('Helvetica').fontSize(9).fillColor('black');
  doc.text('Pay online at ', PAGE.margin, y, { continued: true });
  doc.font('Helvetica-Bold').text(statement.payOnline.url, { link: statement.payOnline.url, underline: false });
  y = doc.y + 2;
  doc.font('Helvetica').text('with your account ID ', PAGE.margin, y, { continued: true });
  doc.font('Helvetica-Bold').text(statement.payOnline.accountId, { continued: true });
  doc.font('Helvetica').text(' and your date of birth. You can pay the whole balance or part of it by card.');
  y = doc.y + 4;
  if (statement.message) {
    doc.fillColor('black').fontSize(9).text(statement.message, PAGE.margin, y, { width: CONTENT_WIDTH });
    y = doc.y + 4;
  }
  doc.fillColor(GREY).fontSize(8).text(`Questions about this statement? Contact ${statement.practice.name} and mention account ${statement.payOnline.accountId}.`, PAGE.margin, y, { width: CONTENT_WIDTH });

  doc.end();
  return done;
}
