import { expect, test } from '@playwright/test';
import { api, choose, field, logIn, uniqueName } from './support/ledger.ts';

test('the payment form estimates a Treatment Pre-Payment from the eligibility check (SPEC E1) and "Use this amount" fills it', async ({ page }) => {
  await logIn(page, 'biller');
  const patient = await api.patient(page, uniqueName('Estimate'));
  await api.coverages(page, patient.id, [{ payerName: 'ACME HEALTH', payerId: '11111', memberId: 'M1234567', order: 1 }]);
  const treatment = await api.treatment(page, {
    patientId: patient.id,
    serviceDate: '2026-03-02',
    lines: [
      { cpt: '27447', chargeCents: 15000 },
      { cpt: '20610', chargeCents: 8000 },
    ],
  });
  const check = await page.request.post('/api/v1/eligibility-checks', {
    data: { patientId: patient.id, copayCents: 2500, coinsurancePercent: 20, deductibleRemainingCents: 10000, oopRemainingCents: 100000 },
  });
  expect(check.status()).toBe(201);

  await page.goto(`/treatments/${treatment.id}`);
  await page.getByRole('link', { name: 'Collect Now' }).click();
  await expect(page.getByRole('heading', { name: 'New payment' })).toBeVisible();
  await choose(page, 'Type', 'Treatment Pre-Payment');
  const panel = page.getByTestId('estimate-panel');
  await expect(panel).toContainText('$126.00');
  await expect(panel).toContainText(/charges, not payer fee schedules/i);
  await panel.getByRole('button', { name: 'Use this amount' }).click();
  await expect(field(page, 'Amount')).toHaveValue('126.00');
});
