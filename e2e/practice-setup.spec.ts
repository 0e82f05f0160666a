import { expect, test } from '@playwright/test';
import { choose, field, logIn, unique, uniqueName } from './support/ledger.ts';

test('an admin adds, renames and deactivates a location; a new visit no longer offers it', async ({ page }) => {
  await logIn(page, 'admin');
  await page.getByRole('link', { name: 'Locations' }).click();
  await expect(page.getByRole('heading', { name: 'Locations' })).toBeVisible();
  // "Zz…": sorts after the demo locations, which other browser tests use.
  const name = `Zz Annex ${unique()}`;
  await field(page, 'Location name').fill(name);
  await page.getByRole('button', { name: 'Add location' }).click();
  const table = page.getByRole('table', { name: 'Practice locations' });
  const row = () => table.getByRole('row').filter({ hasText: name });
  await expect(row()).toContainText('Active');

  await row().getByRole('button', { name: `Rename ${name}` }).click();
  const rename = page.getByRole('dialog', { name: `Rename ${name}` });
  const renamed = `${name} West`;
  await rename.getByRole('textbox', { name: 'New name' }).fill(renamed);
  await rename.getByRole('button', { name: 'Save name' }).click();
  await expect(rename).toBeHidden();
  const renamedRow = table.getByRole('row').filter({ hasText: renamed });
  await expect(renamedRow).toContainText('Active');

  await renamedRow.getByRole('button', { name: `Deactivate ${renamed}` }).click();
  const confirm = page.getByRole('dialog', { name: 'Deactivate location?' });
  await expect(confirm).toContainText(`${renamed} will not be offered for new visits or payments`);
  await confirm.getByRole('button', { name: 'Yes, deactivate' }).click();
  await expect(confirm).toBeHidden();
  await expect(renamedRow).toContainText('Deactivated');
  // The history names both changes.
  const history = page.getByRole('region', { name: 'History' });
  await expect(history).toContainText(renamed);

  // The new-visit dialog offers only active locations.
  const patient = await (await page.request.post('/api/v1/patients', { data: { firstName: 'Loc', lastName: uniqueName('Setup'), dateOfBirth: '1970-01-01' } })).json();
  await page.goto(`/patients/${patient.id}`);
  await page.getByRole('button', { name: 'New visit' }).click();
  await page.getByRole('combobox', { name: 'Location', exact: true }).click();
  await expect(page.getByRole('option').first()).toBeVisible();
  await expect(page.getByRole('option', { name: renamed })).toHaveCount(0);
});

test('an admin invites a user by a one-time link; the user sets a password and is signed in; deactivating signs them out', async ({ page, browser }) => {
  await logIn(page, 'admin');
  await page.getByRole('link', { name: 'Staff' }).click();
  await expect(page.getByRole('heading', { name: 'Staff', level: 1 })).toBeVisible();
  const name = uniqueName('Invitee');
  const email = `${name.toLowerCase()}@demo.example`;
  const invite = page.getByRole('form', { name: 'Invite a user' });
  await field(page, 'Name').fill(name);
  await field(page, 'Email').fill(email);
  await choose(page, 'Role', 'Front desk');
  await invite.getByRole('button', { name: 'Create invite link' }).click();
  const link = (await page.getByTestId('invite-link').textContent())!;
  expect(link).toMatch(/\/invite\/pli_[A-Za-z0-9_-]+$/);
  const users = page.getByRole('table', { name: 'Users' });
  await expect(users.getByRole('row').filter({ hasText: email })).toContainText('Invited');

  // The invited user, in a browser of their own.
  const theirs = await browser.newContext();
  const invitee = await theirs.newPage();
  await invitee.goto(link);
  await expect(invitee.getByText(`Set a password for ${email}`)).toBeVisible();
  await field(invitee, 'New password').fill('short');
  await field(invitee, 'Repeat password').fill('short');
  await invitee.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(invitee.getByText('Use at least 8 characters')).toBeVisible();
  await field(invitee, 'New password').fill('a good long password');
  await field(invitee, 'Repeat password').fill('a good long password');
  await invitee.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(invitee.getByTestId('user-role')).toHaveText('Front desk');
  await expect(invitee).toHaveURL(/\/payments$/);
  // Front desk: no staff or location setup.
  await expect(invitee.getByRole('link', { name: 'Staff' })).toHaveCount(0);
  await invitee.goto('/settings/staff');
  await expect(invitee.getByText('Only admins manage staff users.')).toBeVisible();

  // The link worked once.
  const again = await theirs.newPage();
  await again.goto(link);
  await expect(again.getByRole('alert')).toContainText('already used');

  // Deactivate: their next request finds no session, and they land on the login page.
  await page.reload();
  const row = users.getByRole('row').filter({ hasText: email });
  await expect(row).toContainText('Active');
  await row.getByRole('button', { name: `Deactivate ${name}` }).click();
  const confirm = page.getByRole('dialog', { name: 'Deactivate user?' });
  await confirm.getByRole('button', { name: 'Yes, deactivate' }).click();
  await expect(row).toContainText('Deactivated');
  await invitee.goto('/payments');
  await expect(invitee).toHaveURL(/\/login$/);
  await field(invitee, 'Email').fill(email);
  await field(invitee, 'Password').fill('a good long password');
  await invitee.getByRole('button', { name: 'Sign in' }).click();
  await expect(invitee.getByRole('alert')).toBeVisible();
  await expect(invitee).toHaveURL(/\/login$/);
  await theirs.close();
});

test('the last active admin cannot demote themselves', async ({ page }) => {
  await logIn(page, 'admin');
  await page.goto('/settings/staff');
  const me = page.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: '(you)' });
  await me.getByRole('combobox').click();
  await page.getByRole('option', { name: 'Biller', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('last active admin');
  await page.reload();
  await expect(page.getByTestId('user-role')).toHaveText('Admin');
});

test('an admin sets refund review days and the statement message in Settings', async ({ page }) => {
  await logIn(page, 'admin');
  await page.goto('/settings');
  const days = page.getByRole('textbox', { name: 'Refund review days' });
  await expect(days).toHaveValue('45');
  await days.fill('30');
  const message = `Payment plans available ${unique()}`;
  await field(page, 'Statement message').fill(message);
  const [saved] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/practice') && r.request().method() === 'PATCH'),
    page.getByRole('button', { name: 'Save' }).click(),
  ]);
  expect(saved.status()).toBe(200);
  expect(saved.request().postDataJSON()).toMatchObject({ refundReviewDays: 30, statementMessage: message });
  await page.reload();
  await expect(days).toHaveValue('30');
  await expect(field(page, 'Statement message')).toHaveValue(message);
  await expect(page.getByRole('region', { name: 'History' })).toContainText(message);

  // Put them back for the other browser tests.
  expect((await page.request.patch('/api/v1/practice', { data: { refundReviewDays: 45, statementMessage: null } })).status()).toBe(200);
});
