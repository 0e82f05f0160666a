import { expect, test } from '@playwright/test';
import { choose, logIn } from './support/ledger.ts';

test('an admin sets the practice time zone in Settings', async ({ page }) => {
  await logIn(page, 'admin');
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  const zone = page.getByRole('combobox', { name: 'Time zone', exact: true });
  await expect(zone).toHaveValue('America/New_York');
  const save = page.getByRole('button', { name: 'Save' });
  await expect(save).toBeDisabled();

  await choose(page, 'Time zone', 'America/Chicago');
  const [saved] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/v1/practice') && r.request().method() === 'PATCH'), save.click()]);
  expect(saved.status()).toBe(200);
  expect(saved.request().postDataJSON()).toMatchObject({ timeZone: 'America/Chicago' });
  await page.reload();
  await expect(zone).toHaveValue('America/Chicago');

  // Put it back for the other browser tests, through the API.
  const restored = await page.request.patch('/api/v1/practice', { data: { timeZone: 'America/New_York' } });
  expect(restored.status()).toBe(200);
});

test('a biller sees the practice time zone but cannot change it', async ({ page }) => {
  await logIn(page, 'biller');
  await page.goto('/settings');
  await expect(page.getByRole('combobox', { name: 'Time zone', exact: true })).toHaveValue('America/New_York');
  await expect(page.getByRole('combobox', { name: 'Time zone', exact: true })).toBeDisabled();
  await expect(page.getByText('Only an admin can change these.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);
});
