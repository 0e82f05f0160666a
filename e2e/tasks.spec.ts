import { expect, test, type Page } from '@playwright/test';
import { build835 } from '../src/x12/build-835.ts';
import { api, choose, field, logIn, unique, uniqueName } from './support/ledger.ts';

const PAYER = { payerName: 'ACME HEALTH', payerId: '11111' };

/**
 * A refund-owed case, set up through the API as the front desk and the payer
 * would make it: an insured $150.00 visit with a $40.00 copay held, the
 * primary's 835 leaving $10.00 to the patient, so $30.00 stays unapplied;
 * then the refund review run far enough ahead.
 */
async function refundOwedCase(page: Page) {
  const lastName = uniqueName('Owed');
  const patient = await api.patient(page, lastName);
  await api.coverages(page, patient.id, [{ ...PAYER, memberId: 'M12345678', order: 1 }]);
  const treatment = await api.treatment(page, { patientId: patient.id, serviceDate: '2026-03-02', lines: [{ cpt: '99213', chargeCents: 15000 }] });
  const claim = await api.billNextPayer(page, treatment.id);
  await api.payment(page, { patientId: patient.id, treatmentId: treatment.id, amountCents: 4000, method: 'cash', status: 'paid', paidDate: '2026-03-02', type: 'office_visit' });
  const era = build835([
    {
      ...PAYER,
      traceNumber: `E2E${unique()}`,
      paymentDate: '2026-03-20',
      claims: [
        {
          controlNumber: claim.controlNumber,
          status: '1',
          chargeCents: 15000,
          paidCents: 11000,
          patientResponsibilityCents: 1000,
          adjustments: [
            { group: 'CO', reason: '45', amountCents: 3000 },
            { group: 'PR', reason: '2', amountCents: 1000 },
          ],
        },
      ],
    },
  ]);
  const posted = await api.remittance(page, era);
  expect(posted).toMatchObject({ postedCount: 1, exceptions: [] });
  const review = await api.refundReview(page, '2026-06-30');
  expect(review.tasksCreated).toBeGreaterThanOrEqual(1);
  return { patient, lastName, treatment };
}

// Far from UTC (UTC−10): calendar dates must show and travel exactly as entered.
test.use({ timezoneId: 'Pacific/Honolulu' });

test('a biller completes a refund-owed task by recording the refund', async ({ page }) => {
  await logIn(page, 'biller');
  const { lastName, patient } = await refundOwedCase(page);

  await page.getByRole('link', { name: 'Tasks' }).click();
  await expect(page.getByRole('heading', { name: 'Tasks' })).toBeVisible();
  const row = page.getByTestId('task-row').filter({ hasText: lastName });
  await expect(row).toContainText('$30.00');
  await row.getByRole('button', { name: /^Record refund/ }).click();

  const dialog = page.getByRole('dialog', { name: 'Record refund' });
  await expect(field(page, 'Amount')).toHaveValue('30.00');
  await field(page, 'Refund date').fill('2026-07-01');
  await field(page, 'Refund date').press('Tab'); // leave the field: the typed date is taken
  await choose(page, 'Method', 'Check');
  await field(page, 'Reference').fill('Check 1234');
  const [completed] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/complete') && r.request().method() === 'POST'),
    dialog.getByRole('button', { name: 'Record refund' }).click(),
  ]);
  expect(completed.status(), await completed.text()).toBe(200);
  // The calendar date goes as typed, never shifted a day.
  expect(completed.request().postDataJSON()).toEqual({ refundDate: '2026-07-01', amountCents: 3000, method: 'check', reference: 'Check 1234' });
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('task-row').filter({ hasText: lastName })).toHaveCount(0);

  await page.getByText('Completed', { exact: true }).click();
  await expect(page.getByTestId('task-row').filter({ hasText: lastName })).toContainText('$30.00 by check · Check 1234');

  // The money went back: nothing is left unapplied for the patient.
  await page.goto(`/patients/${patient.id}`);
  await expect(page.getByTestId('balance-unapplied')).toHaveText('$0.00');
});

test('dismissing a refund-owed task keeps the money as patient credit', async ({ page }) => {
  await logIn(page, 'biller');
  const { lastName, patient } = await refundOwedCase(page);

  await page.goto('/tasks');
  const row = page.getByTestId('task-row').filter({ hasText: lastName });
  await row.getByRole('button', { name: /^Dismiss/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Dismiss without refund?' });
  await expect(dialog).toContainText('$30.00 stays with');
  await dialog.getByRole('button', { name: 'Keep as credit' }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toHaveCount(0);

  await page.goto(`/patients/${patient.id}`);
  await expect(page.getByRole('region', { name: 'Credits' }).getByTestId('credit-available')).toHaveText('$30.00');
  await expect(page.getByRole('table', { name: 'Credit lots' })).toContainText('Kept from refund review');
});
