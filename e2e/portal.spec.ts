import { expect, test, type APIRequestContext, type APIResponse } from '@playwright/test';

/**
 * Patients paying online: from the portal (date of birth + account ID, no
 * login) and from a payment link. Staff data is read and made through the
 * API with a separate, signed-in request context; the browser page never
 * carries a staff session.
 */
const BILLER = { email: 'biller@demo.example', password: 'ledger-demo' };
const CARDS = { ok: '4242 4242 4242 4242', declined: '4000 0000 0000 0002' };

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const money = (cents: number) => usd.format(cents / 100);

async function json<T>(response: APIResponse, status = 200): Promise<T> {
  const text = await response.text();
  expect(response.status(), `${response.url()} answered ${text}`).toBe(status);
  return JSON.parse(text) as T;
}

async function staffApi(playwright: { request: { newContext(options: { baseURL?: string }): Promise<APIRequestContext> } }, baseURL: string | undefined) {
  const staff = await playwright.request.newContext({ baseURL });
  await json(await staff.post('/api/v1/auth/login', { data: BILLER }));
  return staff;
}

interface PatientDetail {
  id: string;
  accountId: string;
  dateOfBirth: string;
  firstName: string;
  balance: { patientResponsibilityCents: number };
}

/** A demo patient (account IDs A100001…) who owes at least $20.00. */
async function owingDemoPatient(staff: APIRequestContext): Promise<PatientDetail> {
  const list = await json<{ items: Array<{ id: string; accountId: string }> }>(await staff.get('/api/v1/patients', { params: { pageSize: 100 } }));
  for (const item of list.items.filter((p) => /^A1\d{5}$/.test(p.accountId)).sort((a, b) => a.accountId.localeCompare(b.accountId))) {
    const detail = await json<PatientDetail>(await staff.get(`/api/v1/patients/${item.id}`));
    if (detail.balance.patientResponsibilityCents >= 2000) return detail;
  }
  throw new Error('no demo patient with a balance of $20.00 or more');
}

test('a patient finds the balance in the portal and pays part of it by card', async ({ page, playwright, baseURL }) => {
  const staff = await staffApi(playwright, baseURL);
  const patient = await owingDemoPatient(staff);
  const balance = patient.balance.patientResponsibilityCents;
  const failedPayments = async () =>
    (await json<{ total: number }>(await staff.get('/api/v1/payments', { params: { patientId: patient.id, status: 'failed' } }))).total;
  const failedBefore = await failedPayments();

  await page.goto('/pay?practice=demo');
  await expect(page.getByRole('heading', { name: 'Find your balance' })).toBeVisible();
  // Wrong details: a message that does not say which field was wrong.
  await page.getByLabel(/^Date of birth/).fill('1900-01-01');
  await page.getByLabel(/^Account ID/).fill(patient.accountId);
  await page.getByRole('button', { name: 'Find my balance' }).click();
  await expect(page.getByRole('alert')).toContainText('date of birth and account ID');

  await page.getByLabel(/^Date of birth/).fill(patient.dateOfBirth);
  await page.getByLabel(/^Account ID/).fill(patient.accountId.toLowerCase());
  await page.getByRole('button', { name: 'Find my balance' }).click();
  await expect(page.getByTestId('portal-practice')).not.toHaveText('Pay your bill');
  await expect(page.getByTestId('portal-balance')).toHaveText(money(balance));
  await expect(page.getByRole('table', { name: 'Visits' })).toBeVisible();

  // Pay $10.00 of it; a declined card first.
  await page.getByLabel('Another amount').check();
  await page.getByLabel(/^Amount to pay/).fill('10.00');
  await page.getByLabel(/^Card number/).fill(CARDS.declined);
  await page.getByRole('button', { name: 'Pay $10.00' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The card was not charged' })).toBeVisible();
  await expect(page.getByTestId('portal-balance')).toHaveText(money(balance));

  await page.getByLabel(/^Card number/).fill(CARDS.ok);
  const [paid] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/portal/pay') && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Pay $10.00' }).click(),
  ]);
  expect(paid.request().headers()['cookie']).toBeUndefined();
  const result = (await paid.json()) as { paymentNumber: string; status: string };
  expect(result.status).toBe('paid');
  await expect(page.getByTestId('portal-paid')).toContainText(result.paymentNumber);
  await expect(page.getByTestId('portal-balance')).toHaveText(money(balance - 1000));

  // Staff see it: Private Pay, Online, Paid, applied to the oldest visits.
  const found = await json<{ items: Array<{ id: string }> }>(await staff.get('/api/v1/payments', { params: { search: result.paymentNumber } }));
  const payment = await json<{ status: string; method: string; type: string; billing: { appliedCents: number } }>(await staff.get(`/api/v1/payments/${found.items[0]!.id}`));
  expect(payment).toMatchObject({ status: 'paid', method: 'online', type: 'private_pay', billing: { appliedCents: 1000 } });
  expect((await json<PatientDetail>(await staff.get(`/api/v1/patients/${patient.id}`))).balance.patientResponsibilityCents).toBe(balance - 1000);
  // The declined attempt was charged again on success: no Failed payment is left behind.
  expect(await failedPayments()).toBe(failedBefore);
  await staff.dispose();
});

test('a patient opens a payment link and pays it; the paid link then says so', async ({ page, playwright, baseURL }) => {
  const staff = await staffApi(playwright, baseURL);
  const patient = await owingDemoPatient(staff);
  const created = await json<{ id: string; number: string }>(
    await staff.post('/api/v1/payments', { data: { patientId: patient.id, amountCents: 4321, type: 'private_pay', memo: 'e2e link' } }),
    201,
  );
  const link = await json<{ url: string }>(await staff.post(`/api/v1/payments/${created.id}/link`, { data: { expiresInDays: 7 } }), 201);
  const path = new URL(link.url).pathname;
  expect(path).toMatch(/^\/pay\/[A-Za-z0-9_-]{32}$/);

  await page.goto(path);
  await expect(page.getByTestId('link-payment-number')).toHaveText(created.number);
  await expect(page.getByTestId('link-amount')).toHaveText('$43.21');
  await page.getByLabel(/^Card number/).fill(CARDS.declined);
  await page.getByRole('button', { name: 'Pay $43.21' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The card was not charged' })).toBeVisible();

  await page.getByLabel(/^Card number/).fill(CARDS.ok);
  await page.getByRole('button', { name: 'Pay $43.21' }).click();
  await expect(page.getByTestId('link-paid')).toContainText(created.number);
  expect((await json<{ status: string; method: string }>(await staff.get(`/api/v1/payments/${created.id}`))).status).toBe('paid');

  await page.reload();
  await expect(page.getByTestId('link-not-payable')).toContainText('Already paid');
  await expect(page.getByRole('button', { name: /^Pay/ })).toHaveCount(0);

  // A made-up link says it is not valid.
  await page.goto('/pay/not-a-real-token-at-all-000000000');
  await expect(page.getByRole('alert')).toContainText('This payment link is not valid');
  await staff.dispose();
});
