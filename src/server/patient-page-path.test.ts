import { describe, expect, it } from 'vitest';
import { isPatientPagePath } from './app.ts';

describe('isPatientPagePath', () => {
  it('sends the portal and payment-link pages to the patient bundle, and nothing else', () => {
    for (const url of ['/pay', '/pay/', '/pay?practice=demo', '/pay/abcDEF123_-x', '/pay/abc/', '/pay/abc?x=1']) expect(isPatientPagePath(url), url).toBe(true);
    for (const url of ['/payments', '/payments/1', '/payer-balances', '/pay/abc/start', '/login', '/']) expect(isPatientPagePath(url), url).toBe(false);
  });
});
