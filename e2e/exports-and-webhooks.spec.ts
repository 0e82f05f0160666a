import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { verifyWebhookSignature } from '../src/domain/webhooks/signature.ts';
import { api, field, logIn, uniqueName } from './support/ledger.ts';

test('the Export button on the patients list downloads the filtered list with balances as CSV', async ({ page }) => {
  await logIn(page, 'admin');
  const lastName = uniqueName('Exported');
  const patient = await api.patient(page, lastName, 'Erin');
  await api.treatment(page, { patientId: patient.id, serviceDate: '2026-03-02', lines: [{ cpt: '99213', chargeCents: 12345 }] });
  await api.payment(page, { patientId: patient.id, amountCents: 2000, method: 'cash', status: 'paid', paidDate: '2026-03-02' });

  await page.getByRole('link', { name: 'Patients' }).click();
  // Routes load lazily: until the patients page has arrived, 'Search' is still the payments list's field.
  await expect(page.getByRole('heading', { name: 'Patients', level: 2 })).toBeVisible();
  await field(page, 'Search').fill(lastName);
  await expect(page.getByRole('table', { name: 'Patients' })).toContainText(lastName);
  // The new patient may be on the unfiltered first page too: wait until the search has narrowed the list to one row.
  await expect(page.getByRole('table', { name: 'Patients' }).locator('tbody tr')).toHaveCount(1);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV of patients with balances' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^patients-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = fs.readFileSync((await download.path())!, 'utf8');
  const lines = text.split('\r\n');
  expect(lines[0]).toBe('accountId,lastName,firstName,dateOfBirth,email,phone,patientResponsibility,unapplied,credit,createdDate');
  // The search filter went with the click: only this patient, with the balance the patient page shows, in dollars.
  expect(lines.filter(Boolean)).toHaveLength(2);
  const balance = ((await (await page.request.get(`/api/v1/patients/${patient.id}`)).json()) as { balance: Record<string, number> }).balance;
  const dollars = (cents: number) => (cents / 100).toFixed(2);
  expect(lines[1]).toContain(
    `,${lastName},Erin,1980-05-17,,,${dollars(balance.patientResponsibilityCents!)},${dollars(balance.unappliedCents!)},${dollars(balance.creditCents!)},`,
  );
});

test('an admin adds a webhook endpoint, sees its secret once, and watches a signed delivery arrive and replay', async ({ page }) => {
  test.setTimeout(120_000);
  const received: Array<{ body: string; signature: string }> = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ body, signature: String(req.headers['ledger-signature']) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  try {
    await logIn(page, 'admin');
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await expect(page.getByRole('heading', { name: 'Webhooks' })).toBeVisible();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add webhook endpoint' });
    await field(page, 'URL').fill(url);
    await field(page, 'Description').fill('Browser test receiver');
    await dialog.getByRole('combobox', { name: 'Events' }).click();
    await page.getByRole('option', { name: 'payment.created', exact: true }).click();
    // The multi-select stays open for more choices: click away to close it.
    await dialog.getByText('Add webhook endpoint').click();
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();

    const secretDialog = page.getByRole('dialog', { name: 'Signing secret' });
    const secret = (await secretDialog.getByTestId('webhook-secret').textContent())!.trim();
    expect(secret).toMatch(/^whsec_[0-9a-f]{48}$/);
    await secretDialog.getByRole('button', { name: 'Done' }).click();
    const row = page.getByTestId('webhook-endpoint').filter({ hasText: url });
    await expect(row).toContainText('payment.created');
    // Shown once: the page has no way to show it again.
    await expect(page.getByText(secret)).toHaveCount(0);

    const lastName = uniqueName('Hooked');
    const patient = await api.patient(page, lastName);
    const payment = await api.payment(page, { patientId: patient.id, amountCents: 4321 });
    await expect.poll(() => received.filter((r) => r.body.includes(payment.id)).length, { timeout: 5000 }).toBe(1);
    const first = received.find((r) => r.body.includes(payment.id))!;
    expect(verifyWebhookSignature(first.signature, first.body, secret)).toBe(true);
    expect(JSON.parse(first.body)).toMatchObject({ type: 'payment.created', data: { paymentId: payment.id, amountCents: 4321 } });

    await row.getByRole('button', { name: 'Deliveries' }).click();
    const delivery = page.getByTestId('webhook-delivery').first();
    await expect(delivery).toContainText('payment.created');
    await expect(delivery).toContainText('delivered');
    await expect(delivery).toContainText('204');
    await delivery.getByRole('button', { name: 'Replay' }).click();
    await expect(page.getByText('Delivered again')).toBeVisible();
    await expect.poll(() => received.filter((r) => r.body.includes(payment.id)).length).toBe(2);
    await expect(delivery).toContainText('replay');

    // Delete: it gets nothing more.
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete this endpoint?' }).getByRole('button', { name: 'Delete' }).click();
    await expect(row).toHaveCount(0);
    const after = await api.payment(page, { patientId: patient.id, amountCents: 1111 });
    await page.waitForTimeout(1000);
    expect(received.filter((r) => r.body.includes(after.id))).toHaveLength(0);
  } finally {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
});
