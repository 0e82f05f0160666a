import { expect, test, type Page } from '@playwright/test';

const BILLER = { email: 'biller@demo.example', password: 'ledger-demo' };

interface Session {
  user: { name: string; role: string };
  practice: { name: string };
}

interface PatientRow {
  id: string;
  firstName: string;
  lastName: string;
}

/** A form field by its label, which may carry a required asterisk ("Email *"). */
function field(page: Page, label: string) {
  return page.getByLabel(new RegExp(`^${label}\\s*\\*?$`));
}

/** Picks an option from a Mantine Select/MultiSelect: open it, click the option. */
async function choose(page: Page, label: string, option: string) {
  await page.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

test('a biller logs in, filters payments, collects a payment, marks it paid, notes it and logs out', async ({ page }) => {
  // Log in.
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await field(page, 'Email').fill(BILLER.email);
  await field(page, 'Password').fill(BILLER.password);
  const [loginResponse] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login') && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  expect(loginResponse.status()).toBe(200);
  const session = (await loginResponse.json()) as Session;

  // The shell shows the practice and the role.
  await expect(page.getByTestId('practice-name')).toHaveText(session.practice.name);
  await expect(page.getByTestId('user-role')).toHaveText('Biller');

  // Payments, filtered by status.
  await page.getByRole('link', { name: 'Patients' }).click();
  await page.getByRole('link', { name: 'Payments', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Payments', exact: true })).toBeVisible();
  await expect(page.getByText('Total Collected')).toBeVisible();
  const table = page.getByRole('table', { name: 'Payments' });
  await expect(table).toBeVisible();
  await choose(page, 'Status', 'Pending');
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(/status=pending/);
  const statuses = table.getByTestId('payment-status');
  await expect(async () => {
    const texts = await statuses.allTextContents();
    expect(texts.every((t) => t === 'Pending')).toBe(true);
  }).toPass();
  await expect(page.getByRole('link', { name: 'Export CSV' })).toHaveAttribute('href', /export\.csv\?.*status=pending/);

  // A demo patient to collect from (page.request shares the browser's session cookie).
  const patients = await page.request.get('/api/v1/patients', { params: { pageSize: 5 } });
  expect(patients.ok()).toBe(true);
  const patient = ((await patients.json()) as { items: PatientRow[] }).items[0];
  expect(patient, 'the demo practice has patients').toBeDefined();

  // New payment: amount typed as dollars.
  await page.getByRole('link', { name: 'New payment' }).click();
  await expect(page.getByRole('heading', { name: 'New payment' })).toBeVisible();
  const picker = page.getByRole('combobox', { name: 'Patient', exact: true });
  await picker.click();
  await picker.fill(patient!.lastName);
  await page.getByRole('option', { name: new RegExp(`^${patient!.lastName}, ${patient!.firstName}`) }).first().click();
  await field(page, 'Amount').fill('123.45');
  await choose(page, 'Type', 'Office Visit');
  await choose(page, 'Method', 'Cash');
  await field(page, 'Memo').fill('e2e copay');
  const [created] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/payments') && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Create payment' }).click(),
  ]);
  expect(created.status()).toBe(201);
  expect(created.request().headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
  const payment = (await created.json()) as { id: string; number: string; amountCents: number };
  expect(payment.amountCents).toBe(12345);

  // The detail page.
  await expect(page).toHaveURL(new RegExp(`/payments/${payment.id}$`));
  await expect(page.getByTestId('payment-number')).toHaveText(payment.number);
  expect(payment.number).toMatch(/^PAY-\d{3,}$/);
  await expect(page.getByTestId('payment-amount')).toHaveText('$123.45');
  const statusCard = page.getByRole('region', { name: 'Status' });
  await expect(statusCard.getByTestId('payment-status')).toHaveText('Pending');

  // Mark it Paid: a dialog asks for the method, the check number (required for a check) and the paid date.
  await choose(page, 'Change status to', 'Paid');
  await statusCard.getByRole('button', { name: 'Mark Paid…' }).click();
  const markPaid = page.getByRole('dialog', { name: `Mark ${payment.number} Paid` });
  await expect(markPaid).toContainText('$123.45');
  const { timeZone } = (await (await page.request.get('/api/v1/practice')).json()) as { timeZone: string };
  const today = new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());
  await expect(markPaid.getByRole('textbox', { name: 'Paid date' })).toHaveValue(today);
  await choose(page, 'Method', 'Check');
  await markPaid.getByRole('button', { name: 'Confirm: mark Paid' }).click();
  await expect(markPaid.getByText('Enter the check number')).toBeVisible();
  await expect(statusCard.getByTestId('payment-status')).toHaveText('Pending');
  await markPaid.getByRole('textbox', { name: 'Check number' }).fill('1042');
  const [marked] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/payments/${payment.id}/status`)),
    markPaid.getByRole('button', { name: 'Confirm: mark Paid' }).click(),
  ]);
  expect(marked.status()).toBe(200);
  expect(marked.request().postDataJSON()).toEqual({ status: 'paid', method: 'check', checkNumber: '1042', paidDate: today });
  await expect(markPaid).toBeHidden();
  await expect(statusCard.getByTestId('payment-status')).toHaveText('Paid');
  await expect(page.getByTestId('payment-number')).toHaveText(payment.number);
  await expect(page.getByText('This payment can no longer be edited')).toBeVisible();

  // Add a note.
  const note = `Paid at the front desk ${Date.now()}`;
  await field(page, 'New note').fill(note);
  await page.getByRole('button', { name: 'Add note' }).click();
  const notes = page.getByRole('list', { name: 'Notes' });
  await expect(notes.getByText(note)).toBeVisible();
  await expect(notes.getByText(session.user.name, { exact: false })).toBeVisible();

  // The list shows it as Paid.
  await page.getByRole('link', { name: 'Payments', exact: true }).first().click();
  await field(page, 'Search').fill(payment.number);
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: payment.number }) });
  await expect(row.getByTestId('payment-status')).toHaveText('Paid');

  // Log out: the session is gone.
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.goto('/payments');
  await expect(page).toHaveURL(/\/login$/);
});

test('a signed-in first load asks for the session and the list page once each, and shows them', async ({ page }) => {
  const login = await page.context().request.post('/api/v1/auth/login', { data: BILLER });
  expect(login.ok()).toBe(true);
  const asked: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/api/v1/auth/me' || url.pathname === '/api/v1/payments') asked.push(`${url.pathname}${url.search}`);
  });
  await page.goto('/payments?status=pending&sort=amount&order=asc');
  const table = page.getByRole('table', { name: 'Payments' });
  await expect(table.getByTestId('payment-status').first()).toHaveText('Pending');
  await expect(page.getByTestId('user-role')).toHaveText('Biller');
  // Sent by first-requests.ts and taken by the app's own queries: no second request for either (ADR 0039).
  expect(asked.sort()).toEqual(['/api/v1/auth/me', '/api/v1/payments?status=pending&sort=amount&order=asc&page=1&pageSize=25']);
});

test('the first load of the list is three scripts, kept by the browser for good; the page itself is asked again each time', async ({ page }) => {
  const login = await page.context().request.post('/api/v1/auth/login', { data: BILLER });
  expect(login.ok()).toBe(true);
  const scripts: { url: string; cacheControl: string | undefined }[] = [];
  let pageCacheControl: string | undefined;
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (response.request().resourceType() === 'script') scripts.push({ url: url.pathname, cacheControl: response.headers()['cache-control'] });
    if (url.pathname === '/payments') pageCacheControl = response.headers()['cache-control'];
  });
  await page.goto('/payments');
  await expect(page.getByRole('table', { name: 'Payments' }).getByRole('row').nth(1)).toBeVisible();
  // The first requests' script, what it shares with the app, and the app with the payments list in it (ADR 0047).
  expect(scripts).toHaveLength(3);
  for (const script of scripts) {
    expect(script.url).toMatch(/^\/assets\/[\w-]+\.js$/);
    expect(script.cacheControl).toBe('public, max-age=31536000, immutable');
  }
  expect(pageCacheControl).toBe('no-cache');
});
