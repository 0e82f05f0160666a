import { formatCents } from '../../domain/money.ts';
import type { Statement } from './gather-statement.ts';
import { CONTENT_WIDTH, GREY, PAGE, PdfPage, usDate, type Column } from './pdf-page.ts';

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

/**
 * Draws a patient statement (SPEC section 7) as a PDF: the practice, the
 * account ID and patient, each visit with charges, insurance paid,
 * adjustments, the patient's share, payments and balance; the payments; the
 * credits; the balance due; and how to pay online. US Letter, the standard
 * Helvetica fonts (nothing embedded), text as real text.
 */
export function renderStatementPdf(statement: Statement, options: { compress?: boolean } = {}): Promise<Buffer> {
  const page = new PdfPage({
    title: `Statement ${statement.patient.accountId} ${statement.statementDate}`,
    author: statement.practice.name,
    subject: 'Patient statement',
    continuedLabel: `${statement.practice.name} · Account ${statement.patient.accountId}`,
    compress: options.compress,
  });
  const { doc } = page;

  // Practice and patient.
  page.title(statement.practice.name, 'Patient statement', [
    ['Statement date', usDate(statement.statementDate)],
    ['Account ID', statement.patient.accountId],
    ['Patient', statement.patient.name],
  ]);

  // The amount due, boxed.
  page.boxedAmount('Balance due', formatCents(statement.balanceDueCents));

  // Visits.
  page.heading('Visits');
  if (statement.visits.length === 0) {
    doc.font('Helvetica').fontSize(9).fillColor(GREY).text('No visits on this account.', PAGE.margin, page.y);
    page.y = doc.y + 4;
  } else {
    page.header(visitColumns);
    for (const visit of statement.visits) {
      page.ensureSpace(14 + visit.lines.length * 11, () => page.header(visitColumns));
      const service = `${visit.physician}, ${visit.locationName}${visit.insurancePending ? ' (insurance pending)' : ''}`;
      page.row(visitColumns, [
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
        page.row(visitColumns, ['', `CPT ${line.cpt}${line.units > 1 ? ` x ${line.units}` : ''}`, formatCents(line.chargeCents)], { size: 7, color: GREY });
      }
      page.y += 2;
    }
    page.ensureSpace(18);
    page.rule();
    page.y += 3;
    const t = statement.totals;
    page.row(
      visitColumns,
      ['Total', '', formatCents(t.chargeCents), formatCents(t.insurancePaidCents), formatCents(t.adjustmentCents), formatCents(t.patientResponsibilityCents), formatCents(t.paidCents), formatCents(statement.balanceDueCents)],
      { bold: true },
    );
  }

  // Patient payments.
  page.heading('Your payments');
  if (statement.payments.length === 0) {
    doc.font('Helvetica').fontSize(9).fillColor(GREY).text('No payments received.', PAGE.margin, page.y);
    page.y = doc.y + 4;
  } else {
    page.header(paymentColumns);
    for (const payment of statement.payments) {
      page.ensureSpace(12, () => page.header(paymentColumns));
      page.row(paymentColumns, [
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
  page.heading('Summary');
  page.labelValue('Your share of all visits', formatCents(statement.totals.patientResponsibilityCents));
  page.labelValue('Payments and credits applied to visits', formatCents(-statement.totals.paidCents));
  page.labelValue('Payments received, not yet applied to a visit', formatCents(statement.unappliedCents));
  page.labelValue('Credit on your account', formatCents(statement.creditCents));
  page.ensureSpace(16);
  page.rule();
  page.y += 4;
  page.labelValue('Balance due', formatCents(statement.balanceDueCents), { bold: true });
  if (statement.creditCents > 0 || statement.unappliedCents > 0) {
    page.note('Our office applies money received and credits to your visits as your insurance settles them.');
  }

  // How to pay.
  page.heading('How to pay');
  page.ensureSpace(60);
  let y = page.y;
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

  return page.finish();
}
