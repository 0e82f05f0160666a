/**
 * axe (WCAG 2.1 A and AA) over every staff page, a dialog, and the patient's portal and link
 * pages: no serious or critical violation anywhere. The failure lists each page's rules and where.
 */
import { AxeBuilder } from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { choose, logIn } from './support/ledger.js';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

async function settled(page: Page) {
  await page.waitForLoadState('networkidle');
  await expect(page.getByText(/^(Loading|Checking your session)/)).toHaveCount(0);
}

/** A dialog open and done fading in: axe measures colour contrast, and a half-faded dialog has none. */
async function dialogOpen(page: Page) {
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveCSS('opacity', '1');
  // A function, not a string: Playwright polls a string expression with eval, which the app's CSP refuses (no
  // 'unsafe-eval') once the first check finds an animation still running. Typed by hand: this file is
  // type-checked without the DOM library.
  await page.waitForFunction(() =>
    (globalThis as unknown as { document: { getAnimations(): Array<{ playState: string }> } }).document.getAnimations().every((a) => a.playState !== 'running'),
  );
}

/** "page: rule (impact) ×n at selector" for each serious or critical violation. */
async function violations(page: Page, name: string): Promise<string[]> {
  await settled(page);
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${name}: ${v.id} (${v.impact}) ×${v.nodes.length} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

/**
 * Opens a staff page the way the app's own links do (the router's history, no reload): the sweep reads each page's
 * content, and loading the whole app again for every page was most of its time. The first page is loaded.
 */
async function show(page: Page, path: string) {
  await page.evaluate((to) => {
    // Typed by hand: this file is type-checked without the DOM library.
    const browser = globalThis as unknown as { history: { pushState(state: unknown, unused: string, url: string): void }; dispatchEvent(event: unknown): boolean; PopStateEvent: new (type: string) => unknown };
    browser.history.pushState(null, '', to);
    browser.dispatchEvent(new browser.PopStateEvent('popstate'));
  }, path);
  await expect(page).toHaveURL(new URL(path, page.url()).href);
}

async function firstId(page: Page, path: string, params: Record<string, string | number> = {}): Promise<string> {
  const response = await page.request.get(`/api/v1${path}`, { params: { pageSize: 1, ...params } });
  expect(response.ok(), `${path}: ${await response.text()}`).toBe(true);
  const body = (await response.json()) as { items: Array<{ id: string }> };
  expect(body.items.length, `the demo practice has ${path}`).toBeGreaterThan(0);
  return body.items[0]!.id;
}

test('every page passes axe with no serious or critical WCAG 2.1 A/AA violation', async ({ page }) => {
  test.setTimeout(420_000);
  const found: string[] = [];

  await page.goto('/login');
  found.push(...(await violations(page, 'login')));

  await logIn(page, 'admin');
  const paymentId = await firstId(page, '/payments', { status: 'paid' });
  const pendingId = await firstId(page, '/payments', { status: 'pending' });
  const patientId = await firstId(page, '/patients');
  const remittanceId = await firstId(page, '/remittances');
  const patient = (await (await page.request.get(`/api/v1/patients/${patientId}`)).json()) as { treatments: Array<{ id: string }> };
  const treatmentId = patient.treatments[0]?.id;

  const pages: Array<[string, string]> = [
    ['payments', '/payments'],
    ['new payment', '/payments/new'],
    ['payment (paid)', `/payments/${paymentId}`],
    ['payment (pending)', `/payments/${pendingId}`],
    ['patients', '/patients'],
    ['patient', `/patients/${patientId}`],
    ...(treatmentId ? [['treatment', `/treatments/${treatmentId}`] as [string, string]] : []),
    ['over-applied', '/over-applied'],
    ['processor reconciliation', '/reports/processor-reconciliation'],
    ['unidentified receipts', '/reports/unidentified-receipts'],
    ['A/R aging', '/reports/ar-aging'],
    ['remittances', '/remittances'],
    ['remittance', `/remittances/${remittanceId}`],
    ['exceptions', '/exceptions'],
    ['denials', '/denials'],
    ['payer balances', '/payer-balances'],
    ['tasks', '/tasks'],
    ['settings', '/settings'],
    ['API tokens', '/settings/api-tokens'],
    ['locations', '/settings/locations'],
    ['staff', '/settings/staff'],
    ['webhooks', '/settings/webhooks'],
    ['not found', '/no-such-page'],
  ];
  for (const [name, path] of pages) {
    await show(page, path);
    found.push(...(await violations(page, name)));
  }

  // Dialogs: the refund of a paid payment, and marking a pending one paid.
  await page.goto(`/payments/${paymentId}`);
  await settled(page);
  await page.getByRole('button', { name: /^(Refund|Mark Refunded)$/ }).click();
  await dialogOpen(page);
  found.push(...(await violations(page, 'refund dialog')));
  await page.goto(`/payments/${pendingId}`);
  await settled(page);
  await choose(page, 'Change status to', 'Paid');
  await page.getByRole('button', { name: 'Mark Paid…' }).click();
  await dialogOpen(page);
  found.push(...(await violations(page, 'mark-paid dialog')));
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);

  // The patient's side: the portal's lookup and a payment link.
  const link = (await (
    await page.request.post(`/api/v1/payments/${pendingId}/link`, { data: { expiresInDays: 7 } })
  ).json()) as { url: string };
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/pay?practice=demo');
  found.push(...(await violations(page, 'portal')));
  await page.goto(new URL(link.url).pathname);
  found.push(...(await violations(page, 'payment link')));

  expect(found, found.join('\n')).toEqual([]);
});

test('the first Tab offers a skip link to the content, and a new page puts focus on its heading', async ({ page }) => {
  await logIn(page, 'biller');
  await page.goto('/payments');
  await settled(page);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();

  // Moving to another page: focus lands on its heading, not on the body or the clicked link.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Patients' }).click();
  await expect(page.getByRole('heading', { name: 'Patients', level: 2 })).toBeFocused();
  await page.getByRole('table').getByRole('link').first().click();
  await expect(page.locator('main').getByRole('heading').first()).toBeFocused();
});
