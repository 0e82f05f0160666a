import { expect, test, type Page } from '@playwright/test';
import { logIn, uniqueName } from './support/ledger.ts';

// A busy machine (several test runs at once) makes first loads slow: wait longer than the default.
test.describe.configure({ timeout: 180_000 });
test.use({ actionTimeout: 30_000 });
const slow = { timeout: 30_000 };

/** An Etc/GMT zone where it is midday now, so texts are not held for quiet hours whatever time the suite runs. */
function middayZone(): string {
  let offset = (((12 - new Date().getUTCHours()) % 24) + 24) % 24;
  if (offset > 14) offset -= 24;
  return offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

async function created(page: Page, url: string, data: object): Promise<{ id: string }> {
  const response = await page.request.post(url, { data });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as { id: string };
}

test('send a receipt, a payment link and a statement by email and text (sandbox), see them in the Messages panel, and opt a patient out', async ({ page }) => {
  await logIn(page, 'admin');
  const { timeZone } = (await (await page.request.get('/api/v1/practice')).json()) as { timeZone: string };
  expect((await page.request.patch('/api/v1/practice', { data: { timeZone: middayZone() } })).ok()).toBe(true);
  try {
    const lastName = uniqueName('Mailer');
    const patient = await created(page, '/api/v1/patients', { firstName: 'Mae', lastName, dateOfBirth: '1980-05-17', email: 'mae@example.test', phone: '(555) 010-7000' });
    const paid = await created(page, '/api/v1/payments', { patientId: patient.id, amountCents: 4250, method: 'cash', status: 'paid', paidDate: '2026-03-02' });

    // The receipt by email: the dialog starts with the address on file.
    await page.goto(`/payments/${paid.id}`);
    await page.getByRole('button', { name: 'Send receipt' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send receipt' });
    await expect(dialog.getByLabel('Email address')).toHaveValue('mae@example.test');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByText('Email queued')).toBeVisible(slow);
    await expect(dialog).toBeHidden();

    // A payment link by text, to a number typed in E.164.
    const pending = await created(page, '/api/v1/payments', { patientId: patient.id, amountCents: 1999 });
    await page.goto(`/payments/${pending.id}`);
    await page.getByRole('button', { name: 'Send payment link' }).click();
    const linkDialog = page.getByRole('dialog', { name: 'Send payment link' });
    await linkDialog.getByText('Text (SMS)').click();
    await expect(linkDialog.getByLabel('Mobile number')).toHaveValue('(555) 010-7000');
    // A number that is not E.164 is refused by the server and nothing is sent.
    await linkDialog.getByLabel('Mobile number').fill('555-0100');
    await linkDialog.getByRole('button', { name: 'Send' }).click();
    await expect(linkDialog.getByRole('alert')).toContainText('E.164', slow);
    await linkDialog.getByLabel('Mobile number').fill('+15550107001');
    await linkDialog.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByText('Text queued')).toBeVisible(slow);
    // Sending made the link.
    await expect(page.getByTestId('payment-link-url')).toContainText('/pay/', slow);

    // The patient page: send the statement by email, then read the log.
    await page.goto(`/patients/${patient.id}`);
    await page.getByRole('button', { name: 'Send statement' }).click();
    await page.getByRole('dialog', { name: 'Send statement' }).getByRole('button', { name: 'Send' }).click();
    const panel = page.getByRole('region', { name: 'Messages' });
    const rows = panel.getByTestId('message-row');
    await expect(rows).toHaveCount(3, slow);
    await expect(rows.nth(0)).toContainText('Statement · Email');
    await expect(rows.nth(1)).toContainText('Payment link · SMS');
    await expect(rows.nth(1)).toContainText('+15550107001');
    await expect(rows.nth(2)).toContainText('Receipt · Email');
    await expect(rows.nth(2)).toContainText('mae@example.test');
    // The worker sends them after commit: each turns Sent, via the sandbox.
    for (let i = 0; i < 3; i++) {
      await expect(rows.nth(i)).toContainText('Sent', slow);
      await expect(rows.nth(i)).toContainText('via sandbox', slow);
    }

    // The patient asked for no texts: a text is refused and logged as suppressed.
    await panel.getByRole('switch', { name: 'No texts' }).click();
    await expect(panel.getByRole('switch', { name: 'No texts' })).toBeChecked(slow);
    await page.getByRole('button', { name: 'Send statement' }).click();
    const statementDialog = page.getByRole('dialog', { name: 'Send statement' });
    await statementDialog.getByText('Text (SMS)').click();
    await statementDialog.getByRole('button', { name: 'Send' }).click();
    await expect(statementDialog.getByRole('alert')).toContainText('opted out', slow);
    await statementDialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(rows).toHaveCount(4, slow);
    await expect(rows.nth(0)).toContainText('Suppressed');
  } finally {
    await page.request.patch('/api/v1/practice', { data: { timeZone } });
  }
});

test("send a refund's receipt by email from the payment's Refunds card; it is logged as a refund receipt and sent", async ({ page }) => {
  await logIn(page, 'biller');
  const lastName = uniqueName('Refundee');
  const patient = await created(page, '/api/v1/patients', { firstName: 'Rhea', lastName, dateOfBirth: '1981-06-18', email: 'rhea@example.test' });
  const paid = await created(page, '/api/v1/payments', { patientId: patient.id, amountCents: 6400, method: 'cash', status: 'paid', paidDate: '2026-03-02' });
  await created(page, `/api/v1/payments/${paid.id}/refunds`, { amountCents: 1450, reason: 'patient_request' });

  await page.goto(`/payments/${paid.id}`);
  const refunds = page.getByRole('region', { name: 'Refunds' });
  const row = refunds.getByRole('row').filter({ hasText: '$14.50' });
  await row.getByRole('button', { name: 'Send receipt…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Send refund receipt' });
  await expect(dialog.getByLabel('Email address')).toHaveValue('rhea@example.test');
  await dialog.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByText('Email queued')).toBeVisible(slow);
  await expect(dialog).toBeHidden();

  await page.goto(`/patients/${patient.id}`);
  const rows = page.getByRole('region', { name: 'Messages' }).getByTestId('message-row');
  await expect(rows).toHaveCount(1, slow);
  await expect(rows.nth(0)).toContainText('Refund receipt · Email');
  await expect(rows.nth(0)).toContainText('Sent', slow);
});
