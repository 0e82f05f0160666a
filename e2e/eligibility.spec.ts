import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { api, field, logIn, uniqueName } from './support/ledger.ts';

const rejected271 = path.resolve(process.cwd(), '../shared/fixtures/x12/LinuxForHealth__x12__subscriber-health-benefit-check-error.271');

test('an eligibility check recorded by hand is listed with exact amounts and percent (SPEC section 8)', async ({ page }) => {
  await logIn(page, 'frontDesk');
  const patient = await api.patient(page, uniqueName('Eligible'));
  await page.goto(`/patients/${patient.id}`);
  const panel = page.getByTestId('eligibility-panel');
  await expect(panel).toContainText('No eligibility checks');

  await panel.getByRole('button', { name: 'Record check' }).click();
  const dialog = page.getByRole('dialog', { name: 'Record eligibility check' });
  await field(page, 'Copay').fill('25');
  await field(page, 'Coinsurance %').fill('12.5');
  await field(page, 'Deductible remaining').fill('400.10');
  await field(page, 'Deductible total').fill('1,500');
  await field(page, 'Out-of-pocket remaining').fill('2999.99');
  await dialog.getByRole('button', { name: 'Record check' }).click();
  await expect(dialog).toBeHidden();

  const row = panel.getByTestId('eligibility-row');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Manual');
  await expect(row).toContainText('Active');
  await expect(row).toContainText('$25.00');
  await expect(row).toContainText('12.5%');
  await expect(row).toContainText('$400.10 of $1,500.00');
  await expect(row).toContainText('$2,999.99');
});

test('an X12 271 with an AAA rejection is imported and shown as Rejected with its reason', async ({ page }) => {
  test.skip(!existsSync(rejected271), `fixture not found: ${rejected271}`);
  await logIn(page, 'biller');
  const patient = await api.patient(page, uniqueName('Rejected'));
  await page.goto(`/patients/${patient.id}`);
  const panel = page.getByTestId('eligibility-panel');
  await expect(panel).toContainText('No eligibility checks');

  await panel.getByLabel('Import 271 file').setInputFiles(rejected271);
  const row = panel.getByTestId('eligibility-row');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('271');
  await expect(row.getByText('Rejected', { exact: true })).toBeVisible();
  await expect(row.getByTestId('rejection-reasons')).toContainText('50 · Provider ineligible for inquiries');
  await expect(row.getByTestId('rejection-reasons')).toContainText('Resubmission not allowed');
});

const active271 = path.resolve(process.cwd(), '../shared/fixtures/x12/LinuxForHealth__x12__subscriber-health-benefit-check.271');

test('every benefit of an imported 271 is shown, not only those the summary uses', async ({ page }) => {
  test.skip(!existsSync(active271), `fixture not found: ${active271}`);
  await logIn(page, 'biller');
  const patient = await api.patient(page, uniqueName('Benefits'));
  await page.goto(`/patients/${patient.id}`);
  const panel = page.getByTestId('eligibility-panel');
  await panel.getByLabel('Import 271 file').setInputFiles(active271);
  await expect(panel.getByTestId('eligibility-row')).toHaveCount(1);

  const stored = (await (await page.request.get(`/api/v1/patients/${patient.id}/eligibility-checks`)).json()) as { items: Array<{ benefits: unknown[] }> };
  const count = stored.items[0]!.benefits.length;
  expect(count).toBeGreaterThan(1);
  const all = panel.getByTestId('all-benefits');
  await all.getByText(`All ${count} benefits the payer sent`).click();
  await expect(all.getByTestId('benefit-row')).toHaveCount(count);
  await expect(all.getByRole('table', { name: 'All benefits' })).toBeVisible();
});
