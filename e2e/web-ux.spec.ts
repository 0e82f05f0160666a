/**
 * The rough edges of issue 14 a new user hits first, each as it was seen in the browser:
 * the picker racing its own search, list state lost on Back, an unreadable chart,
 * the tablet order of the payment page, and logging out into the error page.
 */
import { expect, test } from '@playwright/test';
import { api, choose, logIn, uniqueName } from './support/ledger.js';

test('the patient picker never picks from a stale list, and clicking the chosen patient keeps it', async ({ page }) => {
  await logIn(page, 'frontDesk');
  const lastName = uniqueName('Tay');
  const patient = await api.patient(page, lastName, 'Tess');

  await page.goto('/payments/new');
  const picker = page.getByRole('combobox', { name: 'Patient', exact: true });
  await picker.click();
  // The unsearched list is on screen (as it was when "Anderson, Amelia" got picked).
  await expect(page.getByRole('option').first()).toBeVisible();
  const firstUnsearched = await page.getByRole('option').first().textContent();
  expect(firstUnsearched).not.toContain(lastName);

  // Type and choose faster than the search can answer.
  await picker.pressSequentially(lastName.toLowerCase(), { delay: 0 });
  await picker.press('ArrowDown');
  await picker.press('Enter');
  // Nothing from the old list may have been chosen: the field still holds what was typed.
  await expect(picker).toHaveValue(lastName.toLowerCase());

  // Once the search for what is typed answers, the keyboard picks from its results.
  const option = page.getByRole('option', { name: new RegExp(`^${lastName}, Tess`) });
  await expect(option).toBeVisible();
  await expect(page.getByRole('option')).toHaveCount(1);
  await picker.press('ArrowDown');
  await picker.press('Enter');
  await expect(picker).toHaveValue(new RegExp(`^${lastName}, Tess`));

  // Opening the list and clicking the chosen patient again keeps the choice.
  await picker.click();
  await page.getByRole('option', { name: new RegExp(`^${lastName}, Tess`) }).click();
  await expect(picker).toHaveValue(new RegExp(`^${lastName}, Tess`));
  expect(patient.id).toBeTruthy();
});

test('list state lives in the URL: Back and reload return to the same filters and page; a page past the end reads as the last', async ({ page }) => {
  await logIn(page, 'biller');
  // Five a page so the demo's payments make several pages.
  await page.goto('/payments?pageSize=5');
  await choose(page, 'Status', 'Paid');
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(/status=Paid/i);
  await page.getByRole('button', { name: '2', exact: true }).click();
  await expect(page).toHaveURL(/page=2/);
  const table = page.getByRole('table', { name: 'Payments' });
  await expect(table).toHaveAttribute('aria-busy', 'false');
  const range = page.getByText(/^6–10 of \d+$/);
  await expect(range).toBeVisible();
  const firstNumber = await table.getByRole('link').first().textContent();

  await table.getByRole('link').first().click();
  await expect(page).toHaveURL(/\/payments\/[^/?]+$/);
  await page.goBack();
  await expect(page).toHaveURL(/status=Paid/i);
  await expect(page).toHaveURL(/page=2/);
  await expect(range).toBeVisible();
  await expect(table.getByRole('link').first()).toHaveText(firstNumber!);
  await expect(page.getByRole('button', { name: '2', exact: true })).toHaveAttribute('data-active', 'true');

  await page.reload();
  await expect(range).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Status' }).or(page.getByRole('combobox', { name: 'Status' })).first()).toBeVisible();
  await expect(page.getByText('Paid', { exact: true }).first()).toBeVisible();

  // A stale link far past the end shows the last page, never "2451–200 of 200".
  for (const list of ['/payments?page=99', '/remittances?page=99', '/patients?page=99', '/tasks?page=99']) {
    await page.goto(list);
    const text = page.getByText(/^(\d+)–(\d+) of (\d+)$|^No /).first();
    await expect(text).toBeVisible();
    const match = /^(\d+)–(\d+) of (\d+)$/.exec((await text.textContent()) ?? '');
    if (match) {
      const [first, last, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
      expect(first, `${list}: ${match[0]}`).toBeLessThanOrEqual(last);
      expect(last, `${list}: ${match[0]}`).toBe(total);
    }
  }
});

test('the pager asks for the next page by the cursor of the page before it, and a page it has not passed by number', async ({ page }) => {
  await logIn(page, 'biller');
  await page.goto('/payments?pageSize=5');
  const table = page.getByRole('table', { name: 'Payments' });
  await expect(page.getByText(/^1–5 of \d+$/)).toBeVisible();
  const byNumber = (await (await page.request.get('/api/v1/payments?pageSize=5&page=2')).json()) as { items: Array<{ number: string }> };
  const shown = async () => (await table.getByRole('link', { name: /^PAY-/ }).allTextContents()).map((t) => t.trim());

  const next = page.waitForRequest((r) => r.url().includes('/api/v1/payments?') && new URL(r.url()).searchParams.get('page') === '2');
  await page.getByRole('button', { name: '2', exact: true }).click();
  expect(new URL((await next).url()).searchParams.get('cursor')).toBeTruthy();
  await expect(page.getByText(/^6–10 of \d+$/)).toBeVisible();
  await expect.poll(shown).toEqual(byNumber.items.map((p) => p.number));

  // Opened at page 2 (a link, a reload): nothing before it is known, so it asks by page number — the same rows.
  const direct = page.waitForRequest((r) => r.url().includes('/api/v1/payments?') && new URL(r.url()).searchParams.get('page') === '2');
  await page.reload();
  expect(new URL((await direct).url()).searchParams.get('cursor')).toBeNull();
  await expect(page.getByText(/^6–10 of \d+$/)).toBeVisible();
  await expect.poll(shown).toEqual(byNumber.items.map((p) => p.number));
});

test('the dashboard trend has a dollar axis and a tooltip in dollars', async ({ page }) => {
  await logIn(page, 'biller');
  const dashboard = (await (await page.request.get('/api/v1/dashboard')).json()) as { monthly: Array<{ month: string; collectedCents: number }> };
  expect(dashboard.monthly.length, 'the demo practice collected in some month').toBeGreaterThan(0);
  const last = dashboard.monthly[dashboard.monthly.length - 1]!;
  // As the app writes money: a month whose refunds outweigh its payments (early in a month) is "-$397.50".
  const dollars = (cents: number) => `${cents < 0 ? '-' : ''}$${(Math.abs(cents) / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

  await page.goto('/payments');
  const chart = page.getByRole('figure', { name: 'Collected per month' });
  await expect(chart).toBeVisible();
  const ticks = chart.getByTestId('trend-value-tick');
  await expect(ticks.first()).toBeVisible();
  const dollarTicks = (await ticks.allTextContents()).filter((tick) => tick.startsWith('$'));
  expect(dollarTicks.length, 'the value axis has dollar ticks').toBeGreaterThanOrEqual(2);
  for (const tick of dollarTicks) expect(tick).toMatch(/^\$\d[\d,]*$/);

  // Hover the latest month's point: the tooltip names it in dollars and cents.
  const dot = chart.getByTestId('trend-dot').last();
  const box = (await dot.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const tooltip = chart.getByTestId('trend-tooltip');
  await expect(tooltip).toContainText('Collected');
  await expect(tooltip).toContainText(dollars(last.collectedCents));
});

test('logging out lands on the login page, never on the error page', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await logIn(page, 'admin');
  // From a page deep in the app, with its own queries mounted.
  await page.goto('/patients');
  await expect(page.getByRole('heading', { name: 'Patients', level: 2 })).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByText(/useCurrentSession|Unexpected Application Error|Something went wrong/)).toHaveCount(0);
  expect(errors.filter((e) => /useCurrentSession|RequireSession/.test(e))).toEqual([]);
});
