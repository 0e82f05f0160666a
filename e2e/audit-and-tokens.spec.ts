import { expect, test } from '@playwright/test';
import { api, field, logIn, uniqueName } from './support/ledger.ts';

// A busy machine (several test runs at once) makes first loads slow: wait longer than the default.
test.describe.configure({ timeout: 180_000 });
test.use({ actionTimeout: 30_000 });
const slow = { timeout: 30_000 };

test('the payment and patient pages show who changed what, when, from what to what', async ({ page }) => {
  await logIn(page, 'biller');
  const lastName = uniqueName('History');
  const patient = await api.patient(page, lastName, 'Hester');
  const created = await page.request.post('/api/v1/payments', { data: { patientId: patient.id, amountCents: 5000, memo: 'first memo' } });
  expect(created.status()).toBe(201);
  const payment = (await created.json()) as { id: string };

  await page.goto(`/payments/${payment.id}`);
  const history = page.getByRole('region', { name: 'History' });
  await expect(history.getByRole('row')).toHaveCount(2, slow); // header + "Created"
  await expect(history).toContainText('Created', slow);
  await expect(history).toContainText('Bill Biller', slow);

  // A change made in the page appears in the trail at once, with before and after.
  const memo = field(page, 'Memo');
  await memo.fill('second memo');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(history.getByRole('row')).toHaveCount(3, slow);
  const latest = history.getByRole('row').nth(1);
  await expect(latest).toContainText('Updated', slow);
  await expect(latest).toContainText('Bill Biller', slow);
  await expect(latest).toContainText('memo: first memo → second memo', slow);

  await page.goto(`/patients/${patient.id}`);
  const patientHistory = page.getByRole('region', { name: 'History' });
  await expect(patientHistory).toContainText('Created', slow);
  await expect(patientHistory).toContainText('first name: Hester', slow);
  await expect(patientHistory).toContainText(`last name: ${lastName}`, slow);
});

test('the front desk sees no history panel (the trail is for admins and billers)', async ({ page }) => {
  await logIn(page, 'frontDesk');
  const patient = await api.patient(page, uniqueName('Nohist'));
  await page.goto(`/patients/${patient.id}`);
  await expect(page.getByRole('heading', { name: /Nohist/ })).toBeVisible(slow);
  await expect(page.getByRole('region', { name: 'History' })).toHaveCount(0, slow);
});

test('an admin creates an API token (shown once), sees it used, and revokes it: it then answers 401', async ({ page, playwright }) => {
  await logIn(page, 'admin');
  await page.getByRole('link', { name: 'API tokens' }).click();
  await expect(page).toHaveURL(/\/settings\/api-tokens$/, slow);
  const name = uniqueName('Sync');
  await field(page, 'Name').fill(name);
  await page.getByLabel('Expires in days').fill('30');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.getByTestId('new-token').textContent())!.trim();
  expect(token).toMatch(/^pl_[A-Za-z0-9_-]{43}$/);
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText('active', slow);
  await expect(row).toContainText('never', slow); // not used yet

  // An integrator uses it (no cookies: a separate request context).
  const integrator = await playwright.request.newContext({ baseURL: new URL(page.url()).origin, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
  expect((await integrator.get('/api/v1/payments')).status()).toBe(200);
  await page.reload();
  await expect(page.getByRole('row', { name: new RegExp(name) })).not.toContainText('never', slow);
  // The token itself is never shown again.
  await expect(page.getByText(token)).toHaveCount(0, slow);

  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: `Revoke ${name}` }).click();
  await expect(page.getByRole('row', { name: new RegExp(name) })).toContainText('revoked', slow);
  expect((await integrator.get('/api/v1/payments')).status()).toBe(401);
  await integrator.dispose();
});
