/**
 * The rough edges of issue 14 a new user hits first, each as it was seen in the browser:
 * the picker racing its own search, list state lost on Back, an unreadable chart,
 * the tablet order of the payment page, and logging out into the error page.
 */
import { expect, test } from '@playwright/test';
import { api, logIn, uniqueName } from './support/ledger.js';

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
