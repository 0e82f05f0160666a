import { formatCents } from '../../domain/money.ts';
import { CONTENT_WIDTH, PdfPage, usDate, type Column } from '../statements/pdf-page.ts';
import type { Receipt } from './gather-receipt.ts';

const lineColumns: Column[] = [
  { title: 'What', width: CONTENT_WIDTH - 120, align: 'left' },
  { title: 'Amount', width: 120, align: 'right' },
];

/**
 * Draws a payment or refund receipt on one US Letter page with the
 * statement's building blocks (pdf-page.ts): the practice, the patient, the
 * amount, the date and method, where the money went, and the balance left.
 */
export function renderReceiptPdf(receipt: Receipt, options: { compress?: boolean } = {}): Promise<Buffer> {
  const page = new PdfPage({
    title: `${receipt.kind === 'payment' ? 'Receipt' : 'Refund receipt'} ${receipt.number}`,
    author: receipt.practice.name,
    subject: receipt.kind === 'payment' ? 'Payment receipt' : 'Refund receipt',
    continuedLabel: `${receipt.practice.name} · ${receipt.title}`,
    compress: options.compress,
  });
  page.title(
    receipt.practice.name,
    receipt.kind === 'payment' ? 'Payment receipt' : 'Refund receipt',
    [
      [receipt.kind === 'payment' ? 'Payment' : 'Refund of', receipt.number],
      ['Date', usDate(receipt.date)],
      ['Account ID', receipt.patient.accountId],
      ['Patient', receipt.patient.name],
    ],
    receipt.practice.locationName ? [receipt.practice.locationName] : [],
  );
  page.boxedAmount(receipt.kind === 'payment' ? 'Amount paid' : 'Amount refunded', formatCents(receipt.amountCents));
  page.labelValue('Method', receipt.method);
  page.labelValue(receipt.kind === 'payment' ? 'Paid on' : 'Refunded on', usDate(receipt.date));

  page.heading(receipt.kind === 'payment' ? 'Applied to' : 'Details');
  page.header(lineColumns);
  for (const line of receipt.lines) {
    page.ensureSpace(12, () => page.header(lineColumns));
    page.row(lineColumns, [line.label, formatCents(line.amountCents)], { size: 9 });
  }

  page.heading('Your account');
  page.labelValue('Balance remaining', formatCents(receipt.balanceRemainingCents), { bold: true });
  if (receipt.creditCents > 0) page.labelValue('Credit on your account', formatCents(receipt.creditCents));
  page.note(`Printed ${usDate(receipt.printedOn)}. Questions? Contact ${receipt.practice.name} and mention account ${receipt.patient.accountId}.`);
  return page.finish();
}
