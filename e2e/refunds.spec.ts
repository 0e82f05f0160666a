import { expect, test } from '@playwright/test';
import { api, choose, field, logIn, uniqueName } from './support/ledger.ts';

test('a biller collects a payment that applies at once, refunds part then the rest, and clears it from the over-applied list', async ({ page }) => {
  // Collect, refund twice, review the work list: more steps than the default time allows on a busy machine.
  test.slow();
  await logIn(page, 'biller');
  // Setup through the API: a self-pay patient with a $100.00 visit.
  const lastName = uniqueName('Refund');
  const patient = await api.patient(page, lastName);
  await api.treatment(page, { patientId: patient.id, serviceDate: '2026-03-02', lines: [{ cpt: '99213', chargeCents: 10000 }] });

  // Create the payment in the UI.
  await page.getByRole('link', { name: 'Payments', exact: true }).click();
  await page.getByRole('link', { name: 'New payment' }).click();
  const picker = page.getByRole('combobox', { name: 'Patient', exact: true });
  await picker.click();
  await picker.fill(lastName);
  await page.getByRole('option', { name: new RegExp(`^${lastName}, Pat`) }).click();
  await field(page, 'Amount').fill('100');
  await choose(page, 'Method', 'Cash');
  await page.getByRole('button', { name: 'Create payment' }).click();
  await expect(page).toHaveURL(/\/payments\/[^/]+$/);
  const number = (await page.getByTestId('payment-number').textContent())!;
  const statusCard = page.getByRole('region', { name: 'Status' });
  await expect(statusCard.getByTestId('payment-status')).toHaveText('Pending');
  // Nothing to refund yet.
  await expect(page.getByRole('button', { name: 'Mark Refunded' })).toHaveCount(0);

  // Mark it paid: the dialog keeps the payment's method (cash) and today's date; confirm.
  await choose(page, 'Change status to', 'Paid');
  await statusCard.getByRole('button', { name: 'Mark Paid…' }).click();
  const markPaid = page.getByRole('dialog', { name: `Mark ${number} Paid` });
  await expect(markPaid.getByRole('combobox', { name: 'Method', exact: true })).toHaveValue('Cash');
  await markPaid.getByRole('button', { name: 'Confirm: mark Paid' }).click();
  await expect(statusCard.getByTestId('payment-status')).toHaveText('Paid');

  // Money received applies at once to the patient's open visit (SPEC 3): nothing is left unapplied.
  const billing = page.getByTestId('billing-view');
  await expect(billing.getByTestId('billing-applied')).toHaveText('$100.00');
  await expect(billing.getByTestId('billing-unapplied')).toHaveText('$0.00');
  await expect(billing.getByRole('table', { name: 'Applications' })).toContainText('Mar 2, 2026');
  await expect(billing.getByRole('button', { name: 'Apply to treatment' })).toHaveCount(0);

  // Refund part of it: cash, so "Mark Refunded".
  await page.getByRole('button', { name: 'Mark Refunded' }).click();
  const dialog = page.getByRole('dialog', { name: `Mark Refunded ${number}` });
  await dialog.getByText('Partial').click();
  await field(page, 'Amount to refund').fill('30');
  await choose(page, 'Reason', 'Patient request');
  const summary = dialog.getByTestId('refund-summary');
  await expect(summary).toContainText('$30.00 is recorded as refunded by cash');
  await expect(summary).toContainText('becomes Partially Refunded; $70.00 will remain refundable');
  await expect(summary).toContainText('over-applied by $30.00');
  const [partial] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/refunds') && r.request().method() === 'POST'),
    dialog.getByRole('button', { name: 'Confirm Refund' }).click(),
  ]);
  expect(partial.status()).toBe(201);
  expect(partial.request().postDataJSON()).toMatchObject({ amountCents: 3000, reason: 'patient_request' });
  expect(partial.request().headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
  await expect(dialog).toBeHidden();
  await expect(statusCard.getByTestId('payment-status')).toHaveText('Partially Refunded');
  await expect(billing.getByTestId('billing-net')).toHaveText('$70.00');
  await expect(billing.getByTestId('billing-unapplied')).toHaveText('-$30.00');
  await expect(billing.getByTestId('over-applied-badge')).toBeVisible();

  // Refund the rest.
  await page.getByRole('button', { name: 'Mark Refunded' }).click();
  await expect(dialog.getByText('Full ($70.00)')).toBeVisible();
  await choose(page, 'Reason', 'Duplicate charge');
  await expect(summary).toContainText('becomes Refunded');
  await dialog.getByRole('button', { name: 'Confirm Refund' }).click();
  await expect(dialog).toBeHidden();
  await expect(statusCard.getByTestId('payment-status')).toHaveText('Refunded');
  await expect(page.getByRole('button', { name: 'Mark Refunded' })).toHaveCount(0);

  // The billing view of a fully refunded payment that stays applied (SPEC R1).
  await expect(billing.getByTestId('billing-net')).toHaveText('$0.00');
  await expect(billing.getByTestId('billing-reference')).toHaveText('Refunded');
  await expect(billing.getByTestId('billing-applied')).toHaveText('$100.00');
  await expect(billing.getByTestId('billing-unapplied')).toHaveText('-$100.00');
  await expect(billing.getByTestId('over-applied-badge')).toBeVisible();
  await expect(billing.getByRole('table', { name: 'Applications' }).getByRole('row')).toHaveCount(2);
  const refunds = page.getByRole('table', { name: 'Refunds' });
  await expect(refunds.getByRole('row')).toHaveCount(3);
  await expect(refunds).toContainText('$30.00');
  await expect(refunds).toContainText('$70.00');
  await expect(refunds).toContainText('Duplicate charge');

  // The over-applied work list has it until a biller unapplies it.
  await page.getByRole('link', { name: 'Over-applied' }).click();
  await expect(page.getByRole('heading', { name: 'Over-applied payments' })).toBeVisible();
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: number }) });
  await expect(row).toContainText('-$100.00');
  await row.getByRole('button', { name: `Review applications of ${number}` }).click();
  const review = page.getByRole('dialog', { name: `Applications of ${number}` });
  // Rows name the visit (date and physician), and Unapply asks first, naming it again.
  await expect(review.getByRole('table', { name: 'Applications' })).toContainText('Mar 2, 2026 · Dr. Test');
  await expect(review).not.toContainText('Open treatment');
  await review.getByRole('button', { name: 'Unapply $100.00 from Mar 2, 2026 · Dr. Test' }).click();
  const confirmUnapply = page.getByRole('dialog', { name: 'Unapply?' });
  await expect(confirmUnapply).toContainText('Take $100.00 back from the visit of Mar 2, 2026 · Dr. Test?');
  await confirmUnapply.getByRole('button', { name: 'Keep it' }).click();
  await expect(confirmUnapply).toBeHidden();
  await expect(review.getByText('Unapplied', { exact: true })).toHaveCount(0);
  await review.getByRole('button', { name: /^Unapply/ }).click();
  await confirmUnapply.getByRole('button', { name: 'Yes, unapply $100.00' }).click();
  await expect(review.getByText('Unapplied', { exact: true })).toBeVisible();
  await review.getByRole('button', { name: 'Close' }).click();
  await expect(review).toBeHidden();
  await expect(page.getByRole('link', { name: number })).toHaveCount(0);
});

test('a card refund the processor declines says why and leaves the payment as it was', async ({ page }) => {
  await logIn(page, 'biller');
  const patient = await api.patient(page, uniqueName('Declined'));
  const payment = await api.payment(page, { patientId: patient.id, amountCents: 4500, method: 'card', status: 'pending' });

  await page.goto(`/payments/${payment.id}`);
  // Charge it with the sandbox card whose refunds are declined.
  await field(page, 'Card number').fill('4000 0000 0000 5126');
  await page.getByRole('button', { name: 'Charge', exact: true }).click();
  const statusCard = page.getByRole('region', { name: 'Status' });
  await expect(statusCard.getByTestId('payment-status')).toHaveText('Paid');

  // A card payment charged here is refunded through the processor: "Refund".
  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Refund ${payment.number}` });
  await choose(page, 'Reason', 'Billing error');
  await expect(dialog.getByTestId('refund-summary')).toContainText('$45.00 goes back to the card through the payment processor');
  await dialog.getByRole('button', { name: 'Confirm Refund' }).click();
  const alert = dialog.getByRole('alert').filter({ hasText: 'The refund was not made' });
  await expect(alert).toContainText('The refund was not made');
  await expect(alert).toContainText('The payment is unchanged');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(statusCard.getByTestId('payment-status')).toHaveText('Paid');
  await expect(page.getByRole('table', { name: 'Refunds' })).toContainText('Failed');
});

test('the front desk sees the billing view but no refund or unapply actions', async ({ page }) => {
  await logIn(page, 'frontDesk');
  const patient = await api.patient(page, uniqueName('Frontdesk'));
  const payment = await api.payment(page, { patientId: patient.id, amountCents: 2500, method: 'cash', status: 'paid', paidDate: '2026-03-02' });
  await page.goto(`/payments/${payment.id}`);
  await expect(page.getByTestId('billing-view').getByTestId('billing-net')).toHaveText('$25.00');
  await expect(page.getByRole('button', { name: 'Mark Refunded' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Apply to treatment' })).toHaveCount(0);
});
