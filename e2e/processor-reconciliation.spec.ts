import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { api, field, logIn, unique, uniqueName } from './support/ledger.ts';

const dataDir = path.join(process.env.PL_E2E_TMP!, 'data');

/** `ledger sandbox-event` against the server's own database: the sandbox's disputes and payouts, through the production reconciliation. */
function sandboxEvent(event: unknown) {
  const file = path.join(process.env.PL_E2E_TMP!, `event-${unique()}.json`);
  fs.writeFileSync(file, JSON.stringify(event));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PAYMENT_PROCESSOR: 'sandbox' };
  delete env.DATABASE_URL;
  const result = spawnSync(process.execPath, ['bin/ledger.mjs', 'sandbox-event', file], { env, encoding: 'utf8', timeout: 60_000 });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { outcome: string };
}

test('a biller reconciles a sandbox payout: matched charge, an unmatched one, fees, an open dispute, and exports it', async ({ page }) => {
  test.setTimeout(120_000);
  await logIn(page, 'biller');
  const lastName = uniqueName('Payout');
  const patient = await api.patient(page, lastName, 'Paula');
  const id = unique();
  const charged = await api.payment(page, { patientId: patient.id, amountCents: 12000, method: 'card', status: 'paid', processorReference: `sbx_ch_ok_e2e_${id}` });
  const disputed = await api.payment(page, { patientId: patient.id, amountCents: 3000, method: 'card', status: 'paid', processorReference: `sbx_ch_ok_e2e_dispute_${id}` });

  expect(sandboxEvent({ kind: 'dispute_opened', dispute: { id: `sbx_dp_${id}`, amountCents: 3000, reason: 'fraudulent', status: 'needs_response', chargeReferences: [`sbx_ch_ok_e2e_dispute_${id}`], evidenceDueBy: Date.UTC(2026, 11, 15, 17) / 1000 } }).outcome).toBe('opened');
  const payoutId = `sbx_po_${id}`;
  // Each browser project runs against the same server: its own arrival date keeps the date range's totals its own.
  const day = test.info().project.name === 'chromium-tablet' ? '2026-11-21' : '2026-11-20';
  const items = [
    { id: `sbx_txn_a_${id}`, type: 'charge', amountCents: 12000, feeCents: 378, netCents: 11622, sourceReference: `sbx_ch_ok_e2e_${id}`, chargeReferences: [`sbx_ch_ok_e2e_${id}`], description: 'Payment' },
    { id: `sbx_txn_u_${id}`, type: 'charge', amountCents: 2500, feeCents: 103, netCents: 2397, sourceReference: `sbx_ch_unknown_${id}`, chargeReferences: [`sbx_ch_unknown_${id}`], description: 'Payment' },
  ];
  expect(sandboxEvent({ kind: 'payout_paid', payout: { id: payoutId, amountCents: 11622 + 2397, arrivalDate: day, status: 'paid' }, items }).outcome).toBe('recorded');

  await page.getByRole('link', { name: 'Processor reconciliation' }).click();
  await expect(page.getByRole('heading', { name: 'Processor reconciliation' })).toBeVisible();
  await field(page, 'Payouts arriving from').fill(day);
  await field(page, 'to').fill(day);
  await expect(page).toHaveURL(new RegExp(`[?&]from=${day}&to=${day}$`));

  const payout = page.getByRole('region', { name: `Payout ${payoutId}` });
  await expect(payout).toContainText('Balanced');
  await expect(payout).toContainText('$140.19');
  const rows = payout.getByRole('table', { name: `Items of payout ${payoutId}` }).locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: charged.number })).toContainText(`Paula ${lastName}`);
  await expect(rows.filter({ hasText: charged.number })).toContainText('$3.78');
  await expect(rows.filter({ hasText: 'Unmatched' })).toContainText(`sbx_ch_unknown_${id}`);
  await expect(page.getByText('1 unmatched item')).toBeVisible();
  const dispute = page.getByRole('table', { name: 'Open disputes' }).locator('tbody tr').filter({ hasText: disputed.number });
  await expect(dispute).toContainText('$30.00');
  await expect(dispute).toContainText('fraudulent');

  // The disputed payment is locked: its page says Disputed.
  await dispute.getByRole('link', { name: disputed.number }).click();
  await expect(page.getByText('Disputed').first()).toBeVisible();
  await page.goBack();

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV of processor reconciliation' }).click()]);
  expect(download.suggestedFilename()).toBe(`processor-reconciliation-${day}-${day}.csv`);
  const lines = fs.readFileSync((await download.path())!, 'utf8').split('\r\n').filter(Boolean);
  expect(lines[0]).toBe('payout,arrivalDate,payoutAmount,balanceTransaction,type,amount,fee,net,matched,payment,patient,source,description');
  expect(lines).toContain(`${payoutId},${day},140.19,sbx_txn_a_${id},charge,120.00,3.78,116.22,yes,${charged.number},Paula ${lastName},sbx_ch_ok_e2e_${id},Payment`);
  expect(lines).toContain(`${payoutId},${day},140.19,sbx_txn_u_${id},charge,25.00,1.03,23.97,no,,,sbx_ch_unknown_${id},Payment`);

  // Both dates changed before the page renders again (one task: two input events): the second keeps the first.
  await page.evaluate(
    ([start, end]) => {
      // Typed by hand: this file is type-checked without the DOM library.
      type Input = { value: string; dispatchEvent(event: unknown): boolean };
      const browser = globalThis as unknown as {
        document: { querySelectorAll(selector: string): Iterable<Input> };
        HTMLInputElement: { prototype: object };
        Event: new (type: string, init: { bubbles: boolean }) => unknown;
      };
      const setValue = Object.getOwnPropertyDescriptor(browser.HTMLInputElement.prototype, 'value')!.set!;
      const inputs = [...browser.document.querySelectorAll('input[type="date"]')];
      for (const [input, value] of [[inputs[0]!, start], [inputs[1]!, end]] as const) {
        setValue.call(input, value);
        input.dispatchEvent(new browser.Event('input', { bubbles: true }));
      }
    },
    ['2026-10-05', '2026-10-06'],
  );
  await expect(page).toHaveURL(/[?&]from=2026-10-05&to=2026-10-06$/);
  await expect(field(page, 'Payouts arriving from')).toHaveValue('2026-10-05');
});

test('the front desk has no processor reconciliation', async ({ page }) => {
  await logIn(page, 'frontDesk');
  await expect(page.getByRole('link', { name: 'Payments', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Processor reconciliation' })).toHaveCount(0);
});

test('a biller assigns a card charge made in the processor dashboard that named no patient: it becomes their Paid payment, once', async ({ page }) => {
  test.setTimeout(120_000);
  await logIn(page, 'biller');
  const lastName = uniqueName('Walkin');
  const patient = await api.patient(page, lastName, 'Wanda');
  const id = unique();
  const reference = `sbx_ch_dash_${id}`;
  const held = sandboxEvent({ kind: 'charge_succeeded', charge: { chargeReferences: [reference], amountCents: 4350, metadata: { practice: 'demo' }, email: `walkin-${id}@example.com`, description: 'Terminal sale' } });
  expect(held.outcome).toBe('held');
  // Delivered again: nothing more.
  expect(sandboxEvent({ kind: 'charge_succeeded', charge: { chargeReferences: [reference], amountCents: 4350, metadata: { practice: 'demo' }, email: null, description: null } }).outcome).toBe('already_booked');

  await page.reload();
  const count = page.getByTestId('nav-count-receipts');
  const heldBefore = Number(await count.textContent());
  expect(heldBefore).toBeGreaterThan(0);
  await page.getByRole('link', { name: /^Unidentified receipts/ }).click();
  await expect(page.getByRole('heading', { name: 'Unidentified receipts' })).toBeVisible();
  const row = page.getByRole('table', { name: 'Held receipts' }).locator('tbody tr').filter({ hasText: reference });
  await expect(row).toContainText('$43.50');
  await expect(row).toContainText(`walkin-${id}@example.com`);
  await expect(row).toContainText('Terminal sale');
  await row.getByRole('button', { name: `Assign ${reference}` }).click();

  const dialog = page.getByRole('dialog', { name: 'Assign to a patient' });
  await expect(dialog).toContainText('$43.50');
  const picker = dialog.getByRole('combobox', { name: 'Patient', exact: true });
  await picker.click();
  await picker.fill(lastName);
  await page.getByRole('option', { name: new RegExp(`^${lastName}, Wanda`) }).click();
  await dialog.getByRole('button', { name: 'Assign', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText('Receipt assigned')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Held receipts' }).locator('tbody tr').filter({ hasText: reference })).toHaveCount(0);
  await expect(count).toHaveText(String(heldBefore - 1));

  await page.locator('label', { hasText: /^Resolved$/ }).click();
  const resolved = page.getByRole('table', { name: 'Resolved receipts' }).locator('tbody tr').filter({ hasText: reference });
  await expect(resolved).toContainText(`Wanda ${lastName}`);
  await expect(resolved).toContainText('Assigned');
  await resolved.getByRole('link').click();
  // Routes load lazily: the URL changes once the payment page's code has arrived.
  await page.waitForURL(/\/payments\/[^/]+$/);
  await expect(page.getByText('$43.50').first()).toBeVisible();
  const payment = await page.evaluate(async (url) => (await fetch(url)).json(), `/api/v1/payments/${page.url().split('/').pop()}`);
  expect(payment).toMatchObject({ status: 'paid', method: 'card', amountCents: 4350, patientId: patient.id });
});

test('a biller returns a held dashboard charge nobody can be named for to the card; a disputed one waits for its outcome', async ({ page }) => {
  test.setTimeout(120_000);
  await logIn(page, 'biller');
  const id = unique();
  const reference = `sbx_ch_back_${id}`;
  const disputedReference = `sbx_ch_disputed_${id}`;
  for (const [ref, amountCents] of [[reference, 2750], [disputedReference, 1600]] as const) {
    expect(sandboxEvent({ kind: 'charge_succeeded', charge: { chargeReferences: [ref], amountCents, metadata: { practice: 'demo' }, email: null, description: 'Terminal sale' } }).outcome).toBe('held');
  }
  expect(sandboxEvent({ kind: 'dispute_opened', dispute: { id: `sbx_dp_held_${id}`, amountCents: 1600, reason: 'fraudulent', status: 'needs_response', chargeReferences: [disputedReference], evidenceDueBy: null } }).outcome).toBe('opened_on_receipt');

  await page.getByRole('link', { name: /^Unidentified receipts/ }).click();
  await expect(page.getByRole('heading', { name: 'Unidentified receipts' })).toBeVisible();
  const held = page.getByRole('table', { name: 'Held receipts' }).locator('tbody tr');
  const disputed = held.filter({ hasText: disputedReference });
  await expect(disputed).toContainText('Disputed $16.00');
  await expect(disputed.getByRole('button')).toHaveCount(0);

  const row = held.filter({ hasText: reference });
  await row.getByRole('button', { name: `Return ${reference} to the card` }).click();
  const dialog = page.getByRole('dialog', { name: 'Return to the card' });
  await expect(dialog).toContainText('$27.50');
  await dialog.getByRole('button', { name: 'Return $27.50' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText('Returned to the card')).toBeVisible();
  await expect(held.filter({ hasText: reference })).toHaveCount(0);

  await page.locator('label', { hasText: /^Resolved$/ }).click();
  const resolved = page.getByRole('table', { name: 'Resolved receipts' }).locator('tbody tr').filter({ hasText: reference });
  await expect(resolved).toContainText('Given back to the card');
  await expect(resolved).toContainText('$27.50 given back');
  const receipts = (await page.evaluate(async () => (await fetch('/api/v1/processor-receipts?status=resolved&pageSize=100')).json())) as { items: { processorReference: string }[] };
  expect(receipts.items.find((r) => r.processorReference === reference)).toMatchObject({ status: 'returned', returnedCents: 2750, paymentId: null });
});
