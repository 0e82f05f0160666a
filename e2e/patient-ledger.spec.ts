import { expect, test, type Page } from '@playwright/test';
import { api, choose, logIn, uniqueName } from './support/ledger.ts';

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
/** For comparing with the screen only: the app itself never formats through floats. */
const dollars = (cents: number) => usd.format(cents / 100);
const cents = (text: string | null) => Math.round(Number((text ?? '').replace(/[$,]/g, '')) * 100);

async function credit(page: Page, patientId: string, amountCents: number) {
  const response = await page.request.post(`/api/v1/patients/${patientId}/credits`, { data: { amountCents, description: 'Courtesy' } });
  expect(response.status(), await response.text()).toBe(201);
}

test("the patient ledger lists every movement with a running balance that equals the patient card's balance, with aging, an export and receipts", async ({ page }) => {
  await logIn(page, 'biller');
  const patient = await api.patient(page, uniqueName('Ledger'));
  const visit = await api.treatment(page, { patientId: patient.id, serviceDate: '2026-03-02', lines: [{ cpt: '99213', chargeCents: 12000 }] });
  const payment = await api.payment(page, { patientId: patient.id, amountCents: 5000, method: 'check', checkNumber: '2201', status: 'paid', paidDate: '2026-03-02', treatmentId: visit.id });
  await credit(page, patient.id, 1000);

  await page.goto(`/patients/${patient.id}`);
  const ledger = page.getByRole('region', { name: 'Ledger' });
  const table = ledger.getByRole('table', { name: 'Ledger' });
  await expect(table.locator('tbody tr')).toHaveCount(4);
  await expect(table.locator('tr[data-kind="charge"]')).toContainText('Charge: visit 2026-03-02 (99213) · Dr. Test · self-pay');
  await expect(table.locator('tr[data-kind="charge"]')).toContainText('$120.00');
  await expect(table.locator('tr[data-kind="patient_payment"]')).toContainText(`Payment ${payment.number} · check #2201`);
  await expect(table.locator('tr[data-kind="patient_payment"]')).toContainText('-$50.00');
  await expect(table.locator('tr[data-kind="application"]')).toContainText(`${payment.number} applied to visit 2026-03-02`);
  await expect(table.locator('tr[data-kind="credit_created"]')).toContainText('-$10.00');

  // The balance the ledger ends at is the patient card's: owed less unapplied funds and credit.
  const owed = cents(await page.getByTestId('balance-responsibility').textContent());
  const unapplied = cents(await page.getByTestId('balance-unapplied').textContent());
  const creditLeft = cents(await page.getByTestId('balance-credit').textContent());
  expect([owed, unapplied, creditLeft]).toEqual([7000, 0, 1000]);
  await expect(ledger.getByTestId('ledger-balance')).toHaveText(dollars(owed - unapplied - creditLeft));
  await expect(table.locator('tbody tr').last().locator('td').nth(5)).toHaveText(dollars(owed - unapplied - creditLeft));
  await expect(ledger.getByTestId('ledger-aging-totalCents')).toHaveText(dollars(owed));

  // The export is the same rows; the row links to its payment, whose page has the receipt.
  const exportHref = await ledger.getByRole('link', { name: 'Export CSV of ledger' }).getAttribute('href');
  const csv = await page.request.get(exportHref!);
  expect(csv.status()).toBe(200);
  expect((await csv.text()).trim().split('\r\n')).toHaveLength(5);
  await table.locator('tr[data-kind="patient_payment"]').getByRole('link', { name: 'Payment' }).click();
  await expect(page.getByTestId('payment-number')).toHaveText(payment.number);
  const receipt = page.getByRole('link', { name: 'Receipt (PDF)' });
  const pdf = await page.request.get((await receipt.getAttribute('href'))!);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toBe('application/pdf');

  // A refund has its own receipt, and lands on the ledger with the balance still the card's.
  const refund = await page.request.post(`/api/v1/payments/${payment.id}/refunds`, { data: { amountCents: 1500, reason: 'billing_error' } });
  expect(refund.status(), await refund.text()).toBe(201);
  await page.reload();
  const refundReceipt = page.getByRole('region', { name: 'Refunds' }).getByRole('link', { name: 'Receipt (PDF)' });
  expect((await page.request.get((await refundReceipt.getAttribute('href'))!)).status()).toBe(200);
  await page.getByRole('link', { name: 'Open patient' }).click();
  await expect(table.locator('tr[data-kind="refund"]')).toContainText('$15.00');
  await expect(page.getByTestId('balance-responsibility')).toHaveText('$85.00');
  await expect(ledger.getByTestId('ledger-balance')).toHaveText(dollars(8500 - 1000));
  await expect(table.locator('tbody tr').last().locator('td').nth(5)).toHaveText(dollars(8500 - 1000));
});

test('the A/R aging report shows patient and insurance totals equal to the trial balance, and filters by location', async ({ page }) => {
  await logIn(page, 'admin');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'A/R aging' }).click();
  await expect(page).toHaveURL(/\/reports\/ar-aging$/);
  const tb = await (await page.request.get('/api/v1/reports/trial-balance')).json();
  const account = (name: string) => tb.accounts.find((a: { account: string }) => a.account === name).balanceCents as number;
  await expect(page.getByTestId('patient-ar-total-totalCents')).toHaveText(dollars(account('patient_receivable')));
  await expect(page.getByTestId('insurance-ar-total-totalCents')).toHaveText(dollars(account('insurance_receivable')));
  await expect(page.getByRole('table', { name: 'Patient A/R' }).locator('tbody tr').first()).toBeVisible();
  await expect(page.getByRole('table', { name: 'Insurance A/R' }).locator('tbody tr').first()).toBeVisible();

  // One location: the totals are that location's, and the filter stays in the URL.
  const location = await api.firstLocation(page);
  await choose(page, 'Location', location.name);
  await expect(page).toHaveURL(new RegExp(`locationId=${location.id}`));
  const one = await (await page.request.get(`/api/v1/reports/ar-aging?locationId=${location.id}`)).json();
  await expect(page.getByTestId('patient-ar-total-totalCents')).toHaveText(dollars(one.patientTotals.totalCents));
  await expect(page.getByTestId('insurance-ar-total-totalCents')).toHaveText(dollars(one.insuranceTotals.totalCents));
  const exportHref = await page.getByRole('link', { name: 'Export CSV of A/R aging' }).getAttribute('href');
  expect(exportHref).toContain(`locationId=${location.id}`);
});
