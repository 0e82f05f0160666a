import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { logIn, unique } from './support/ledger.ts';

const fixture = path.resolve(process.cwd(), '../shared/fixtures/x12/azoner__pyx12__835_simple.txt');

test('a biller previews an 835, posts it, sees its exceptions, and finds it among past imports', async ({ page }) => {
  test.skip(!existsSync(fixture), `the 835 fixture is not here: ${fixture}`);
  // The fixture's payment with a trace number of this run, so a rerun on the same data is a new file.
  const trace = `E2E${unique()}`;
  const text = readFileSync(fixture, 'utf8').replace('TRN*1*0004926*', `TRN*1*${trace}*`);
  expect(text).toContain(trace);
  const file = { name: `era-${trace}.835`, mimeType: 'text/plain', buffer: Buffer.from(text) };

  await logIn(page, 'biller');
  await page.getByRole('link', { name: 'Remittance' }).click();
  await expect(page.getByRole('heading', { name: 'Remittance', exact: true })).toBeVisible();

  // Drop the file (the dropzone's file input): a preview, nothing posted.
  const [previewResponse] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/remittances?preview=true')),
    page.getByTestId('remittance-dropzone').locator('input[type="file"]').setInputFiles(file),
  ]);
  expect(previewResponse.status()).toBe(200);
  const preview = page.getByTestId('remittance-preview');
  await expect(preview).toBeVisible();
  await expect(page.getByTestId('remittance-file-name')).toHaveText(file.name);
  await expect(preview.getByTestId('remittance-claim-count')).toHaveText('3');
  await expect(preview.getByTestId('remittance-posted-count')).toHaveText('0');
  await expect(preview.getByTestId('remittance-exception-count')).toHaveText('3');
  await expect(preview.getByRole('table', { name: 'Payer payments' })).toContainText(trace);
  await expect(preview.getByRole('table', { name: 'Payer payments' })).toContainText('$5,950.21');
  await expect(preview.getByRole('list', { name: 'Warnings' })).toContainText('BPR02');
  await expect(preview.getByRole('table', { name: 'Remittance claims' }).getByTestId('claim-outcome')).toHaveText(['Exception', 'Exception', 'Exception']);

  // Post it for real.
  const [posted] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/remittances') && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Post' }).click(),
  ]);
  expect(posted.status()).toBe(201);
  const result = page.getByTestId('remittance-result');
  await expect(result).toBeVisible();
  await expect(preview).toBeHidden();
  await expect(result.getByTestId('remittance-exception-count')).toHaveText('3');
  const exceptions = result.getByRole('table', { name: 'Exceptions' });
  await expect(exceptions).toContainText('123839-24635');
  await expect(exceptions).toContainText('134158-27488');
  await expect(exceptions).toContainText('No claim of ours has control number');
  await expect(exceptions).toContainText('22 · Reversal');

  // Among the past imports, with a detail view.
  const imports = page.getByRole('table', { name: 'Past imports' });
  const row = imports.getByRole('row').filter({ hasText: file.name });
  await expect(row).toContainText('3 exceptions');
  await row.getByRole('link').click();
  await expect(page.getByRole('heading', { name: 'Remittance import' })).toBeVisible();
  await expect(page.getByText(file.name)).toBeVisible();
  await expect(page.getByRole('table', { name: 'Exceptions' }).getByRole('row')).toHaveCount(4);

  // The same file again posts nothing.
  await page.getByRole('link', { name: '← Remittance' }).click();
  await page.getByTestId('remittance-dropzone').locator('input[type="file"]').setInputFiles(file);
  await page.getByRole('button', { name: 'Post' }).click();
  await expect(page.getByTestId('remittance-result').getByText('This file was imported before')).toBeVisible();
});
