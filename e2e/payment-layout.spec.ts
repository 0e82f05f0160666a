/**
 * The payment page's order by width: on a tablet the status and patient cards come right after
 * the money, before notes and documents (they fell below them); on a laptop they sit beside it.
 */
import { expect, test } from '@playwright/test';
import { logIn } from './support/ledger.js';

test('the status and patient cards come before notes and documents', async ({ page }, testInfo) => {
  await logIn(page, 'biller');
  const list = (await (await page.request.get('/api/v1/payments', { params: { status: 'paid', pageSize: 1 } })).json()) as {
    items: Array<{ id: string }>;
  };
  await page.goto(`/payments/${list.items[0]!.id}`);

  const box = async (name: string) => {
    const section = page.getByRole('region', { name, exact: true });
    await expect(section).toBeVisible();
    return (await section.boundingBox())!;
  };
  const status = await box('Status');
  const patient = await box('Patient');
  const notes = await box('Notes');
  const documents = await box('Documents');

  const tablet = (page.viewportSize()?.width ?? 0) < 992;
  expect(tablet, 'each project checks its own layout').toBe(testInfo.project.name.endsWith('tablet'));
  if (tablet) {
    // One column: status and patient above notes and documents.
    for (const card of [status, patient]) {
      expect(card.y).toBeLessThan(notes.y);
      expect(card.y).toBeLessThan(documents.y);
    }
  } else {
    // Two columns: status and patient to the right of notes and documents.
    for (const card of [status, patient]) expect(card.x).toBeGreaterThan(notes.x + notes.width - 1);
  }
});
