import { expect, test } from '@playwright/test';
import { api, choose, field, logIn, uniqueName } from './support/ledger.ts';

// Far from UTC (UTC+14): calendar dates must show and travel exactly as entered.
test.use({ timezoneId: 'Pacific/Kiritimati' });

test('the treatment page: charges, billing the payer, overdue payments, and Collect Now with the date-of-service warning', async ({ page }) => {
  await logIn(page, 'biller');
  const lastName = uniqueName('Visit');
  const patient = await api.patient(page, lastName);
  await api.coverages(page, patient.id, [{ payerName: 'ACME HEALTH', payerId: '11111', memberId: 'M7654321', order: 1 }]);
  const treatment = await api.treatment(page, {
    patientId: patient.id,
    serviceDate: '2026-03-02',
    lines: [
      { cpt: '99213', chargeCents: 15000 },
      { cpt: '36415', chargeCents: 1250 },
    ],
  });
  // An unpaid payment for the visit, due long ago.
  await api.payment(page, { patientId: patient.id, treatmentId: treatment.id, amountCents: 2000, status: 'pending', dueDate: '2026-03-10' });

  // From the patient's page to the visit.
  await page.goto(`/patients/${patient.id}`);
  await page.getByRole('link', { name: 'Mar 2, 2026' }).click();
  await expect(page).toHaveURL(new RegExp(`/treatments/${treatment.id}$`));
  await expect(page.getByRole('heading', { name: 'Visit of Mar 2, 2026' })).toBeVisible();
  await expect(page.getByTestId('insurance-status')).toHaveText('Awaiting insurance');
  await expect(page.getByTestId('treatment-charges-total')).toHaveText('$162.50');
  const payments = page.getByRole('table', { name: 'Treatment payments' });
  await expect(payments.getByText('Overdue')).toBeVisible();

  // Bill the primary payer.
  const claims = page.getByRole('region', { name: 'Claims' });
  await expect(claims.getByText('Not billed yet')).toBeVisible();
  await claims.getByRole('button', { name: 'Bill next payer' }).click();
  await expect(claims.getByTestId('claim-status')).toHaveText('Submitted');
  await expect(claims.getByTestId('claim-control-number')).toHaveText(/^PL[0-9A-Z]+$/);
  await expect(claims).toContainText('ACME HEALTH');
  await expect(claims.getByRole('button', { name: 'Bill next payer' })).toHaveCount(0);

  // Collect the copay now: the form comes prefilled with the visit, and warns that today is not the date of service.
  await page.getByRole('link', { name: 'Collect Now' }).click();
  await expect(page.getByRole('heading', { name: 'New payment' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Treatment', exact: true })).toHaveValue(/^Mar 2, 2026 · Dr\. Test/);
  await expect(page.getByText('Payment date differs from the date of service')).toBeVisible();
  await field(page, 'Amount').fill('40');
  await page.getByText('Paid', { exact: true }).click();
  await choose(page, 'Method', 'Cash');
  await field(page, 'Paid date').fill('2026-03-02');
  await field(page, 'Paid date').press('Tab');
  await expect(page.getByText('Payment date differs from the date of service')).toBeHidden();
  await page.getByRole('button', { name: 'Create payment' }).click();
  await expect(page.getByTestId('payment-number')).toBeVisible();
  const number = (await page.getByTestId('payment-number').textContent())!;
  // Held as unapplied funds while insurance works.
  await expect(page.getByTestId('billing-unapplied')).toHaveText('$40.00');

  await page.getByRole('link', { name: 'Open treatment' }).click();
  await expect(page.getByRole('table', { name: 'Treatment payments' }).getByRole('link', { name: number })).toBeVisible();
});
