import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type APIRequestContext, type APIResponse, type Page } from '@playwright/test';
import { startStripeStandIn, type StripeStandIn } from '../tests/helpers/stripe-stand-in.ts';
import { field, logIn } from './support/ledger.ts';
import { routeStripe } from './support/stripe-js-stand-in.ts';

/**
 * With Stripe configured (ADR 0027), the portal, a payment link and the
 * staff charge take the card in Stripe's Payment Element. A second app
 * server runs here with PAYMENT_PROCESSOR=stripe against a local stand-in of
 * Stripe's API; Stripe.js is a stand-in served by route interception (see
 * support/stripe-js-stand-in.ts). What must hold: no card field of ours, the
 * element mounts, and no request to our server ever carries a card number.
 */
const PORT = Number(process.env.E2E_PORT ?? 3199) + 1000;
const BASE = `http://127.0.0.1:${PORT}`;
const CARDS = { ok: '4242424242424242', declined: '4000000000000002' };
test.use({ baseURL: BASE });

let stripe: StripeStandIn;
let server: ChildProcess;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  stripe = await startStripeStandIn();
  const dataDir = path.join(process.env.PL_E2E_TMP!, `stripe-data-${Date.now()}`);
  fs.mkdirSync(dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(PORT),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    PAYMENT_PROCESSOR: 'stripe',
    STRIPE_SECRET_KEY: 'sk_test_e2e',
    STRIPE_PUBLISHABLE_KEY: 'pk_test_e2e',
    STRIPE_API_BASE: stripe.apiBase,
    WEBHOOK_WORKER: 'false',
    MESSAGE_WORKER: 'false',
  };
  delete env.DATABASE_URL;
  server = spawn(process.execPath, ['bin/start.mjs'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  server.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 150_000;
  for (;;) {
    const up = await fetch(`${BASE}/health`).then((r) => r.ok, () => false);
    if (up) break;
    if (server.exitCode !== null || Date.now() > deadline) throw new Error(`the Stripe-configured server did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
});

test.afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  await stripe?.close();
});

/** Every request the page sends to our server, with its body, to show no card number is among them. */
function recordOurRequests(page: Page) {
  const sent: string[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(BASE)) sent.push(`${request.method()} ${request.url()} ${request.postData() ?? ''}`);
  });
  return sent;
}

function expectNoCardNumbers(sent: string[]) {
  expect(sent.length).toBeGreaterThan(0);
  for (const line of sent) {
    const digits = line.replace(/[\s-]/g, '');
    for (const card of Object.values(CARDS)) expect(digits, line).not.toContain(card);
  }
}

async function json<T>(response: APIResponse, status = 200): Promise<T> {
  const text = await response.text();
  expect(response.status(), `${response.url()} answered ${text}`).toBe(status);
  return JSON.parse(text) as T;
}

async function staffApi(playwright: { request: { newContext(options: { baseURL?: string }): Promise<APIRequestContext> } }) {
  const staff = await playwright.request.newContext({ baseURL: BASE });
  await json(await staff.post('/api/v1/auth/login', { data: { email: 'biller@demo.example', password: 'ledger-demo' } }));
  return staff;
}

const element = (page: Page) => page.frameLocator('iframe[title="Secure payment input frame"]');

test('the portal takes the card in Stripe’s element: a decline, then a payment, and no card number reaches our server', async ({ page, context, playwright }) => {
  await routeStripe(context, stripe.apiBase);
  const sent = recordOurRequests(page);
  const staff = await staffApi(playwright);
  const list = await json<{ items: Array<{ id: string; accountId: string }> }>(await staff.get('/api/v1/patients', { params: { pageSize: 100 } }));
  let patient: { id: string; accountId: string; dateOfBirth: string; balance: { patientResponsibilityCents: number } } | undefined;
  for (const item of list.items.filter((p) => /^A1\d{5}$/.test(p.accountId)).sort((a, b) => a.accountId.localeCompare(b.accountId))) {
    const detail = await json<NonNullable<typeof patient>>(await staff.get(`/api/v1/patients/${item.id}`));
    if (detail.balance.patientResponsibilityCents >= 2000) {
      patient = detail;
      break;
    }
  }
  if (!patient) throw new Error('no demo patient owing $20.00 or more');

  await page.goto('/pay?practice=demo');
  // The patient pages are their own bundle: none of the staff app's scripts.
  const scripts = await Promise.all((await page.locator('script[src]').all()).map((script) => script.getAttribute('src')));
  expect(scripts.filter((src) => src?.startsWith('/'))).toEqual([expect.stringMatching(/^\/assets\/portal-[\w-]+\.js$/)]);
  await field(page, 'Date of birth').fill(patient.dateOfBirth);
  await field(page, 'Account ID').fill(patient.accountId);
  await page.getByRole('button', { name: 'Find my balance' }).click();
  await expect(page.getByTestId('portal-balance')).toBeVisible();
  await page.getByLabel('Another amount').check();
  await field(page, 'Amount to pay').fill('12.34');

  // Our card field is gone; Stripe's element (an iframe on js.stripe.com) is there instead.
  await expect(element(page).getByLabel('Card number')).toBeVisible();
  await expect(page.getByRole('textbox', { name: /Card number/ })).toHaveCount(0);

  await element(page).getByLabel('Card number').fill('4000 0000 0000 0002');
  await page.getByRole('button', { name: 'Pay $12.34' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The card was not charged' })).toContainText('Your card was declined.');

  await element(page).getByLabel('Card number').fill('4242 4242 4242 4242');
  await page.getByRole('button', { name: 'Pay $12.34' }).click();
  await expect(page.getByTestId('portal-paid')).toContainText('$12.34 was received');
  const usd = (cents: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);
  await expect(page.getByTestId('portal-balance')).toHaveText(usd(patient.balance.patientResponsibilityCents - 1234));

  // "Stripe" got both numbers; our server got neither.
  expect(stripe.cardNumbers.slice(-2)).toEqual([CARDS.declined, CARDS.ok]);
  expectNoCardNumbers(sent);
  const payments = await json<{ items: Array<{ status: string; amountCents: number; method: string }> }>(await staff.get('/api/v1/payments', { params: { patientId: patient.id, pageSize: 100 } }));
  expect(payments.items.filter((p) => p.method === 'online').map((p) => [p.status, p.amountCents])).toContainEqual(['paid', 1234]);
  // The declined attempt was tried again on the same payment: no Failed one is left behind.
  expect(payments.items.filter((p) => p.method === 'online' && p.status === 'failed')).toHaveLength(0);
});

test('a payment link and the staff charge page take the card in Stripe’s element too', async ({ page, context, playwright }) => {
  await routeStripe(context, stripe.apiBase);
  const sent = recordOurRequests(page);
  const staff = await staffApi(playwright);
  const patients = await json<{ items: Array<{ id: string }> }>(await staff.get('/api/v1/patients', { params: { pageSize: 1 } }));
  const patientId = patients.items[0]!.id;
  const linked = await json<{ id: string; number: string }>(await staff.post('/api/v1/payments', { data: { patientId, amountCents: 4321, type: 'private_pay', memo: 'e2e stripe link' } }), 201);
  const link = await json<{ url: string }>(await staff.post(`/api/v1/payments/${linked.id}/link`, { data: { expiresInDays: 7 } }), 201);

  await page.goto(new URL(link.url).pathname);
  await expect(element(page).getByLabel('Card number')).toBeVisible();
  await expect(page.getByRole('textbox', { name: /Card number/ })).toHaveCount(0);
  await element(page).getByLabel('Card number').fill(CARDS.ok);
  await page.getByRole('button', { name: 'Pay $43.21' }).click();
  await expect(page.getByTestId('link-paid')).toContainText(`Payment ${linked.number} of $43.21 was received`);

  // Staff: a Pending card payment charged from its page.
  const pending = await json<{ id: string; number: string }>(await staff.post('/api/v1/payments', { data: { patientId, amountCents: 2500, method: 'card' } }), 201);
  await logIn(page, 'biller');
  await page.goto(`/payments/${pending.id}`);
  const charge = page.getByRole('region', { name: 'Charge a card' });
  await expect(charge.frameLocator('iframe[title="Secure payment input frame"]').getByLabel('Card number')).toBeVisible();
  await expect(charge.getByRole('textbox', { name: /Card number/ })).toHaveCount(0);
  await charge.frameLocator('iframe[title="Secure payment input frame"]').getByLabel('Card number').fill(CARDS.ok);
  await charge.getByRole('button', { name: 'Charge', exact: true }).click();
  await expect(page.getByText(`${pending.number} is paid`)).toBeVisible();
  expect((await json<{ status: string }>(await staff.get(`/api/v1/payments/${pending.id}`))).status).toBe('paid');
  expectNoCardNumbers(sent);
});
