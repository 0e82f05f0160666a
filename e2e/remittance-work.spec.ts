import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { build835 } from '../src/x12/build-835.ts';
import { api, logIn, unique, uniqueName } from './support/ledger.ts';

/** The badge beside a navigation link, as a number. */
async function navCount(page: Page, which: 'exceptions' | 'denials'): Promise<number> {
  const badge = page.getByTestId(`nav-count-${which}`);
  await expect(badge).toBeVisible();
  return Number(await badge.textContent());
}

test('a biller matches an unmatched 835 claim in the exceptions queue and reads a denial with its codes explained', async ({ page }) => {
  await logIn(page, 'biller');
  const payer = { payerName: 'E2E HEALTH', payerId: 'E2E01', memberId: 'M-E2E', order: 1 as const };
  const lastName = uniqueName('Match');
  const patient = await api.patient(page, lastName, 'Mia');
  await api.coverages(page, patient.id, [payer]);
  const visit = await api.treatment(page, { patientId: patient.id, serviceDate: '2026-03-02', lines: [{ cpt: '99213', chargeCents: 15000 }] });
  const claim = await api.billNextPayer(page, visit.id);
  const deniedVisit = await api.treatment(page, { patientId: patient.id, serviceDate: '2026-03-03', lines: [{ cpt: '99214', chargeCents: 20000 }] });
  const deniedClaim = await api.billNextPayer(page, deniedVisit.id);

  await page.getByRole('link', { name: /^Remittance/ }).click();
  const exceptionsBefore = await navCount(page, 'exceptions');
  const denialsBefore = await navCount(page, 'denials');

  // The payer mistyped our control number on one claim and denied the other.
  const typo = `TYPO${unique()}`;
  const stranger = `NOTOURS${unique()}`;
  const era = build835([
    {
      payerName: payer.payerName,
      payerId: payer.payerId,
      traceNumber: `E2E${unique()}`,
      paymentDate: '2026-03-20',
      claims: [
        { controlNumber: typo, status: '1', chargeCents: 15000, paidCents: 8000, patientResponsibilityCents: 4000, adjustments: [{ group: 'CO', reason: '45', amountCents: 3000 }, { group: 'PR', reason: '2', amountCents: 4000 }] },
        { controlNumber: deniedClaim.controlNumber, status: '4', chargeCents: 20000, paidCents: 0, adjustments: [{ group: 'CO', reason: '50', amountCents: 20000 }], remarks: ['N130'] },
        { controlNumber: stranger, status: '1', chargeCents: 4321, paidCents: 4321 },
      ],
    },
  ]);
  await page.getByTestId('remittance-dropzone').locator('input[type="file"]').setInputFiles({ name: `e2e-work-${unique()}.835`, mimeType: 'text/plain', buffer: Buffer.from(era) });
  await expect(page.getByTestId('remittance-preview')).toBeVisible();
  const [posted] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/remittances') && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Post' }).click(),
  ]);
  expect(posted.status()).toBe(201);
  await expect(page.getByTestId('nav-count-exceptions')).toHaveText(String(exceptionsBefore + 2));
  await expect(page.getByTestId('nav-count-denials')).toHaveText(String(denialsBefore + 1));

  // Match it: find the claim by the patient's name, post it from suspense.
  await page.getByRole('link', { name: /^Exceptions/ }).click();
  await expect(page.getByRole('heading', { name: 'Exceptions', exact: true })).toBeVisible();
  const row = page.getByTestId('exception-row').filter({ hasText: typo });
  await expect(row).toContainText('No claim of ours has control number');
  await expect(row).toContainText('$80.00');
  await row.getByRole('button', { name: `Match ${typo} to a claim` }).click();
  const dialog = page.getByRole('dialog', { name: 'Match to a claim' });
  await dialog.getByLabel('Find the claim').fill(lastName);
  await dialog.getByRole('radio', { name: `Claim ${claim.controlNumber} for Mia ${lastName}` }).check();
  const [matched] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/match') && r.request().method() === 'POST'),
    dialog.getByRole('button', { name: 'Post to claim' }).click(),
  ]);
  expect(matched.status()).toBe(200);
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('exception-row').filter({ hasText: typo })).toHaveCount(0);
  await expect(page.getByTestId('nav-count-exceptions')).toHaveText(String(exceptionsBefore + 1));

  // The other is not ours: resolved as returned to the payer, it becomes money owed to the payer.
  await page.getByTestId('exception-row').filter({ hasText: stranger }).getByRole('button', { name: `Resolve ${stranger}` }).click();
  const resolve = page.getByRole('dialog', { name: 'Resolve exception' });
  await expect(resolve).toContainText('$43.21');
  await resolve.getByLabel(/^Note/).fill('Refund check 2001 to E2E Health');
  await resolve.getByRole('button', { name: 'Resolve' }).click();
  await expect(resolve).toBeHidden();
  await expect(page.getByTestId('nav-count-exceptions')).toHaveText(String(exceptionsBefore));
  await page.getByRole('link', { name: 'Payer balances' }).click();
  const owed = page.getByTestId('payer-balance-row').filter({ hasText: stranger });
  await expect(owed).toContainText('Exception returned');
  await expect(owed).toContainText('$43.21');
  await expect(owed).toContainText('owed to payer');
  await expect(owed).toContainText('Open');
  await page.getByRole('link', { name: /^Exceptions/ }).click();

  // Worked: shown with the claim it went to; the visit is now the patient's $40.00.
  await page.getByRole('radiogroup', { name: 'Exception status' }).getByText('Worked', { exact: true }).click();
  await expect(page.getByTestId('exception-row').filter({ hasText: typo })).toContainText(`Claim ${claim.controlNumber}`);
  const treatment = await (await page.request.get(`/api/v1/treatments/${visit.id}`)).json();
  expect(treatment).toMatchObject({ patientResponsibilityCents: 4000 });

  // The denial, its reason and remark explained.
  await page.getByRole('link', { name: /^Denials/ }).click();
  await expect(page.getByRole('heading', { name: 'Denials', exact: true })).toBeVisible();
  const denial = page.getByTestId('denial-row').filter({ hasText: deniedClaim.controlNumber });
  await expect(denial).toContainText('CO-50');
  await expect(denial).toContainText('Not covered: the payer does not consider it medically necessary.');
  await expect(denial).toContainText('N130');
  await expect(denial).toContainText("See the plan's benefit documents");
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV of denials' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^denials-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = fs.readFileSync((await download.path())!, 'utf8');
  expect(csv.split('\r\n').find((l) => l.includes(deniedClaim.controlNumber))).toContain('CO-50 200.00: Not covered: the payer does not consider it medically necessary.');
});
