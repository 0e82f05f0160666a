import { expect, test } from '@playwright/test';
import { api, choose, field, logIn, uniqueName } from './support/ledger.ts';

test('SPEC C1: a $70.00 visit paid with $120.00 by card, $50.00 refunded as credit, a new credit, and a later visit drawn from both', async ({ page }) => {
  // The whole of C1 in one flow: more steps than the default time allows on a busy machine.
  test.slow();
  await logIn(page, 'biller');
  // Setup through the API: a self-pay patient with a $70.00 visit, and a $120.00 card payment for it.
  const lastName = uniqueName('Credit');
  const patient = await api.patient(page, lastName);
  const visit = await api.treatment(page, { patientId: patient.id, serviceDate: '2026-03-02', lines: [{ cpt: '99213', chargeCents: 7000 }] });
  const payment = await api.payment(page, { patientId: patient.id, amountCents: 12000, method: 'card', status: 'pending', treatmentId: visit.id });

  // The front desk charges the card: $70.00 applies to the visit at once, $50.00 stays unapplied.
  await page.goto(`/payments/${payment.id}`);
  await field(page, 'Card number').fill('4242 4242 4242 4242');
  await page.getByRole('button', { name: 'Charge', exact: true }).click();
  const statusCard = page.getByRole('region', { name: 'Status' });
  await expect(statusCard.getByTestId('payment-status')).toHaveText('Paid');
  const billing = page.getByTestId('billing-view');
  await expect(billing.getByTestId('billing-applied')).toHaveText('$70.00');
  await expect(billing.getByTestId('billing-unapplied')).toHaveText('$50.00');

  // Refund the $50.00 as credit: Partially Refunded, nothing unapplied, nothing over-applied.
  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  const refund = page.getByRole('dialog', { name: `Refund ${payment.number}` });
  await refund.getByText('Partial').click();
  await field(page, 'Amount to refund').fill('50');
  await choose(page, 'Reason', 'Patient request');
  await refund.getByRole('switch', { name: 'Issue as credit' }).check();
  await refund.getByRole('button', { name: 'Confirm Refund' }).click();
  await expect(refund).toBeHidden();
  await expect(statusCard.getByTestId('payment-status')).toHaveText('Partially Refunded');
  await expect(billing.getByTestId('billing-net')).toHaveText('$70.00');
  await expect(billing.getByTestId('billing-unapplied')).toHaveText('$0.00');
  await expect(billing.getByTestId('over-applied-badge')).toHaveCount(0);

  await page.goto(`/patients/${patient.id}`);
  await expect(page.getByTestId('balance-responsibility')).toHaveText('$0.00');
  await expect(page.getByTestId('balance-unapplied')).toHaveText('$0.00');
  await expect(page.getByTestId('balance-credit')).toHaveText('$50.00');
  const panel = page.getByRole('region', { name: 'Credits' });

  // New Credit $25.00 → available $75.00.
  await panel.getByRole('button', { name: 'New Credit' }).click();
  const dialog = page.getByRole('dialog', { name: 'New credit' });
  // Nothing is sent without an amount of at least a cent.
  await dialog.getByRole('button', { name: 'Create credit' }).click();
  await expect(dialog.getByText('Enter an amount of at least $0.01')).toBeVisible();
  await field(page, 'Credit amount').fill('25');
  await field(page, 'Payment reference').fill('Courtesy');
  await dialog.getByRole('button', { name: 'Create credit' }).click();
  await expect(dialog).toBeHidden();
  await expect(panel.getByTestId('credit-available')).toHaveText('$75.00');
  await expect(page.getByTestId('balance-credit')).toHaveText('$75.00');
  const lots = panel.getByRole('table', { name: 'Credit lots' });
  await expect(lots.getByRole('row')).toHaveCount(3);

  // A later visit with $60.00 patient responsibility: credits are never applied by themselves.
  await api.treatment(page, { patientId: patient.id, serviceDate: '2026-04-07', lines: [{ cpt: '99212', chargeCents: 6000 }] });
  await page.reload();
  await expect(page.getByTestId('balance-responsibility')).toHaveText('$60.00');
  await expect(panel.getByTestId('credit-available')).toHaveText('$75.00');

  // Draw $50.00 from the refund's credit: the dialog proposes the smaller of what is left and what is owed.
  await lots.getByRole('row').filter({ hasText: 'Refund as credit' }).getByRole('button', { name: 'Apply' }).click();
  const apply = page.getByRole('dialog', { name: 'Apply credit to a treatment' });
  await expect(page.getByRole('combobox', { name: 'Treatment', exact: true })).toHaveValue(/Apr 7, 2026 · Dr\. Test · owes \$60\.00/);
  await expect(field(page, 'Amount')).toHaveValue('50.00');
  // More than the lot holds is refused in the dialog, naming what is left.
  await field(page, 'Amount').fill('50.01');
  await apply.getByRole('button', { name: 'Apply credit' }).click();
  await expect(apply.getByText('This credit has $50.00 left')).toBeVisible();
  await field(page, 'Amount').fill('50');
  await apply.getByRole('button', { name: 'Apply credit' }).click();
  await expect(apply).toBeHidden();
  await expect(panel.getByTestId('credit-available')).toHaveText('$25.00');

  // Then $10.00 from the new credit, chosen in the dialog.
  await panel.getByRole('button', { name: 'Apply to a treatment' }).click();
  await choose(page, 'Credit', /^\$25\.00 left · New credit/);
  await expect(field(page, 'Amount')).toHaveValue('10.00');
  // Within the lot but more than the visit owes: the second limit speaks.
  await field(page, 'Amount').fill('10.01');
  await apply.getByRole('button', { name: 'Apply credit' }).click();
  await expect(apply.getByText('The treatment owes $10.00')).toBeVisible();
  await field(page, 'Amount').fill('10');
  await apply.getByRole('button', { name: 'Apply credit' }).click();
  await expect(apply).toBeHidden();
  await expect(panel.getByTestId('credit-available')).toHaveText('$15.00');
  await expect(page.getByTestId('balance-responsibility')).toHaveText('$0.00');

  // The later visit is paid: two Patient Credit payments on its page.
  await page.getByRole('link', { name: 'Apr 7, 2026' }).click();
  await expect(page.getByRole('heading', { name: 'Visit of Apr 7, 2026' })).toBeVisible();
  await expect(page.getByTestId('insurance-status')).toHaveText('Self-pay');
  await expect(page.getByTestId('treatment-balance')).toHaveText('$0.00');
  await expect(page.getByTestId('treatment-paid')).toHaveText('$60.00');
  const payments = page.getByRole('table', { name: 'Treatment payments' });
  await expect(payments.getByTestId('payment-status')).toHaveText(['Paid', 'Paid']);
});

test('an admin transfers what remains of a credit to another patient', async ({ page }) => {
  await logIn(page, 'admin');
  const from = await api.patient(page, uniqueName('Giver'));
  const toName = uniqueName('Taker');
  const to = await api.patient(page, toName);
  const created = await page.request.post(`/api/v1/patients/${from.id}/credits`, { data: { amountCents: 1234, description: 'goodwill' } });
  expect(created.status()).toBe(201);

  await page.goto(`/patients/${from.id}`);
  const panel = page.getByRole('region', { name: 'Credits' });
  await panel.getByRole('button', { name: 'Transfer' }).click();
  const dialog = page.getByRole('dialog', { name: 'Transfer credit' });
  const picker = page.getByRole('combobox', { name: 'Transfer to', exact: true });
  await picker.click();
  await picker.fill(toName);
  await page.getByRole('option', { name: new RegExp(`^${toName}, Pat`) }).click();
  await dialog.getByRole('button', { name: 'Transfer $12.34' }).click();
  await expect(dialog).toBeHidden();
  await expect(panel.getByTestId('credit-available')).toHaveText('$0.00');

  await page.goto(`/patients/${to.id}`);
  await expect(page.getByRole('region', { name: 'Credits' }).getByTestId('credit-available')).toHaveText('$12.34');
  await expect(page.getByRole('table', { name: 'Credit lots' })).toContainText('Transferred in');
});

test('a biller sees no Transfer: it is for admins', async ({ page }) => {
  await logIn(page, 'biller');
  const patient = await api.patient(page, uniqueName('Nontransfer'));
  await page.request.post(`/api/v1/patients/${patient.id}/credits`, { data: { amountCents: 500 } });
  await page.goto(`/patients/${patient.id}`);
  const panel = page.getByRole('region', { name: 'Credits' });
  await expect(panel.getByTestId('credit-available')).toHaveText('$5.00');
  await expect(panel.getByRole('button', { name: 'New Credit' })).toBeVisible();
  await expect(panel.getByRole('button', { name: 'Transfer' })).toHaveCount(0);

  // The statement is downloadable from the patient page, with the staff session.
  const statement = page.getByRole('link', { name: 'Download statement (PDF)' });
  const response = await page.request.get((await statement.getAttribute('href'))!);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toContain('application/pdf');
  expect((await response.body()).subarray(0, 5).toString()).toBe('%PDF-');
});
