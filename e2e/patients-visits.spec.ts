import { expect, test } from '@playwright/test';
import { api, choose, field, logIn, unique, uniqueName } from './support/ledger.ts';

test('a biller registers a patient with coverages, edits them, records a visit with CPT lines and bills the primary payer', async ({ page }) => {
  test.slow();
  await logIn(page, 'biller');
  await page.getByRole('link', { name: 'Patients', exact: true }).click();
  await page.getByRole('button', { name: 'New patient' }).click();
  const dialog = page.getByRole('dialog', { name: 'New patient' });
  const lastName = uniqueName('Newpat');
  const accountId = `E2E-${unique()}`.slice(0, 32);
  // Required fields are asked for before anything is sent.
  await dialog.getByRole('button', { name: 'Register patient' }).click();
  await expect(dialog.getByText('Enter the last name')).toBeVisible();

  await field(page, 'First name').fill('Nora');
  await field(page, 'Last name').fill(lastName);
  await field(page, 'Date of birth').fill('1984-02-29');
  await field(page, 'Date of birth').press('Tab');
  await field(page, 'Account ID').fill(accountId);
  await field(page, 'Phone').fill('555-0142');
  await dialog.getByRole('button', { name: 'Add primary coverage' }).click();
  await field(page, 'Primary payer').fill('ACME HEALTH');
  await field(page, 'Primary payer ID').fill('11111');
  await field(page, 'Primary member ID').fill('M-100');
  await field(page, 'Primary plan').fill('Gold PPO');
  await dialog.getByRole('button', { name: 'Add secondary coverage' }).click();
  await field(page, 'Secondary payer').fill('SECOND MUTUAL');
  await field(page, 'Secondary payer ID').fill('22222');
  await field(page, 'Secondary member ID').fill('S-200');
  await dialog.getByRole('button', { name: 'Register patient' }).click();

  await expect(page.getByRole('heading', { name: `${lastName}, Nora`, level: 1 })).toBeVisible();
  const patientId = page.url().split('/patients/')[1]!;
  const coverage = page.getByRole('region', { name: 'Coverage' });
  await expect(coverage).toContainText('PrimaryACME HEALTH · Gold PPO · member M-100');
  await expect(coverage).toContainText('SecondarySECOND MUTUAL · member S-200');
  await expect(page.getByText(accountId, { exact: true })).toBeVisible();

  // Edit: a new last name and email; the history shows the change.
  await page.getByRole('button', { name: 'Edit patient' }).click();
  const edit = page.getByRole('dialog', { name: `Edit ${lastName}, Nora` });
  await expect(field(page, 'Primary member ID')).toHaveValue('M-100');
  const newLast = `${lastName}son`;
  await field(page, 'Last name').fill(newLast);
  await field(page, 'Email').fill('nora@example.com');
  await edit.getByRole('button', { name: 'Save patient' }).click();
  await expect(edit).toBeHidden();
  await expect(page.getByRole('heading', { name: `${newLast}, Nora`, level: 1 })).toBeVisible();
  await expect(page.getByText('nora@example.com', { exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'History' })).toContainText(newLast);

  // Found by date of birth in both forms, and by account ID.
  for (const search of ['1984-02-29', '02/29/1984', accountId]) {
    await page.goto(`/patients?search=${encodeURIComponent(search)}`);
    await expect(page.getByRole('table', { name: 'Patients' }).getByRole('link', { name: `${newLast}, Nora` })).toBeVisible();
  }

  // A visit with two CPT lines.
  await page.goto(`/patients/${patientId}`);
  await page.getByRole('button', { name: 'New visit' }).click();
  const visit = page.getByRole('dialog', { name: 'New visit' });
  await choose(page, 'Location', /.+/);
  await field(page, 'Date of service').fill('2026-03-02');
  await field(page, 'Date of service').press('Tab');
  await field(page, 'Physician').fill('Dr. Rivera');
  await visit.getByRole('textbox', { name: 'CPT code, line 1' }).fill('99213');
  await visit.getByRole('textbox', { name: 'Charge, line 1' }).fill('150');
  await visit.getByRole('button', { name: 'Add line' }).click();
  await visit.getByRole('textbox', { name: 'CPT code, line 2' }).fill('36415');
  await visit.getByRole('textbox', { name: 'Charge, line 2' }).fill('12.50');
  await visit.getByRole('textbox', { name: 'Units, line 2' }).fill('2');
  await expect(visit.getByTestId('visit-total')).toHaveText('Total charges $175.00');
  const [created] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/treatments') && r.request().method() === 'POST'),
    visit.getByRole('button', { name: 'Record visit' }).click(),
  ]);
  expect(created.status()).toBe(201);
  expect(created.request().postDataJSON()).toMatchObject({
    patientId,
    serviceDate: '2026-03-02',
    physician: 'Dr. Rivera',
    lines: [{ cpt: '99213', chargeCents: 15000 }, { cpt: '36415', chargeCents: 1250, units: 2 }],
  });
  await expect(page.getByRole('heading', { name: 'Visit of Mar 2, 2026' })).toBeVisible();
  await expect(page.getByTestId('treatment-charges-total')).toHaveText('$175.00');

  // Bill the next payer: the primary.
  const claims = page.getByRole('region', { name: 'Claims' });
  await claims.getByRole('button', { name: 'Bill next payer' }).click();
  await expect(claims.getByTestId('claim-status')).toHaveText('Submitted');
  await expect(claims).toContainText('ACME HEALTH');
});

test('cancelling a payment asks first and names the visit, its date, physician and amount', async ({ page }) => {
  await logIn(page, 'frontDesk');
  const patient = await api.patient(page, uniqueName('Cancel'));
  const treatment = await api.treatment(page, { patientId: patient.id, serviceDate: '2026-03-02', lines: [{ cpt: '99213', chargeCents: 9000 }] });
  const payment = await api.payment(page, { patientId: patient.id, treatmentId: treatment.id, amountCents: 4000, status: 'pending' });
  await page.goto(`/payments/${payment.id}`);
  const statusCard = page.getByRole('region', { name: 'Status' });
  await choose(page, 'Change status to', 'Cancelled');
  await statusCard.getByRole('button', { name: 'Update status' }).click();
  const confirm = page.getByRole('dialog', { name: 'Mark Cancelled?' });
  await expect(confirm).toContainText(`${payment.number} ($40.00, visit of Mar 2, 2026 · Dr. Test) will become Cancelled`);
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  await expect(confirm).toBeHidden();
  await expect(statusCard.getByTestId('payment-status')).toHaveText('Pending');
  await statusCard.getByRole('button', { name: 'Update status' }).click();
  await confirm.getByRole('button', { name: 'Yes, mark Cancelled' }).click();
  await expect(statusCard.getByTestId('payment-status')).toHaveText('Cancelled');
});
