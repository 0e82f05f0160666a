/**
 * Shared steps for the browser tests: sign in, pick from
 * Mantine selects, and set up records through the API with the page's own
 * session cookie (page.request shares the browser context's cookies).
 */
import { expect, type APIResponse, type Page } from '@playwright/test';

export const USERS = {
  admin: { email: 'admin@demo.example', password: 'ledger-demo', role: 'Admin' },
  biller: { email: 'biller@demo.example', password: 'ledger-demo', role: 'Biller' },
  frontDesk: { email: 'frontdesk@demo.example', password: 'ledger-demo', role: 'Front desk' },
} as const;

/** A form field by its label, which may carry a required asterisk ("Email *"). */
export function field(page: Page, label: string) {
  return page.getByLabel(new RegExp(`^${label}\\s*\\*?$`));
}

/** Picks an option from a Mantine Select: open it, click the option. */
export async function choose(page: Page, label: string, option: string | RegExp) {
  await page.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option, exact: typeof option === 'string' }).first().click();
}

/**
 * Signs in as `who` through the API (a session of this test's own, so one that logs out affects no other), then
 * opens the app and checks the header names the role. The form itself is tested in login-and-payments.spec.ts;
 * going through it in every test cost a page load each (ADR 0057).
 */
export async function logIn(page: Page, who: keyof typeof USERS = 'biller') {
  const user = USERS[who];
  const response = await page.request.post('/api/v1/auth/login', { data: { email: user.email, password: user.password } });
  expect(response.status(), `sign-in as ${who}: ${await response.text()}`).toBe(200);
  await page.goto('/');
  await expect(page.getByTestId('user-role')).toHaveText(user.role);
}

async function json<T>(response: APIResponse, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status(), `${response.url()} answered ${text}`).toBe(status);
  return JSON.parse(text) as T;
}

/** A unique, readable suffix so reruns against the same data never collide. */
export function unique(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`.toUpperCase();
}

/** Letters only: patient names are searched by the picker. */
export function uniqueName(prefix: string): string {
  const letters = unique().replace(/[0-9]/g, (d) => 'ABCDEFGHIJ'[Number(d)]!);
  return `${prefix}${letters.charAt(0)}${letters.slice(1).toLowerCase()}`;
}

export interface Created {
  id: string;
}

export const api = {
  async firstLocation(page: Page): Promise<Created & { name: string }> {
    const list = await json<{ items: Array<{ id: string; name: string }> }>(await page.request.get('/api/v1/locations'), 200);
    expect(list.items.length, 'the demo practice has locations').toBeGreaterThan(0);
    return list.items[0]!;
  },

  async patient(page: Page, lastName: string, firstName = 'Pat'): Promise<Created & { firstName: string; lastName: string }> {
    return json(await page.request.post('/api/v1/patients', { data: { firstName, lastName, dateOfBirth: '1980-05-17' } }), 201);
  },

  async coverages(page: Page, patientId: string, coverages: Array<{ payerName: string; payerId: string; memberId: string; order: 1 | 2 | 3 }>) {
    const response = await page.request.put(`/api/v1/patients/${patientId}/coverages`, { data: coverages });
    expect(response.ok(), await response.text()).toBe(true);
  },

  async treatment(page: Page, input: { patientId: string; serviceDate: string; lines: Array<{ cpt: string; chargeCents: number }> }) {
    const location = await api.firstLocation(page);
    return json<Created & { serviceDate: string; balanceCents: number }>(
      await page.request.post('/api/v1/treatments', { data: { ...input, locationId: location.id, physician: 'Dr. Test' } }),
      201,
    );
  },

  async billNextPayer(page: Page, treatmentId: string) {
    return json<Created & { controlNumber: string; payerName: string; payerId: string }>(await page.request.post(`/api/v1/treatments/${treatmentId}/claims`), 201);
  },

  async payment(page: Page, body: Record<string, unknown>) {
    return json<Created & { number: string }>(await page.request.post('/api/v1/payments', { data: body }), 201);
  },

  async remittance(page: Page, text: string) {
    return json<{ postedCount: number; exceptions: unknown[] }>(
      await page.request.post('/api/v1/remittances', { data: text, headers: { 'content-type': 'text/plain' } }),
      201,
    );
  },

  async refundReview(page: Page, asOf: string) {
    return json<{ tasksCreated: number }>(await page.request.post('/api/v1/jobs/refund-review', { data: { asOf } }), 200);
  },
};
