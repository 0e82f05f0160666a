import { describe, expect, it } from 'vitest';
import { nextRetryDelayMs, signWebhook, verifyWebhookSignature } from './signature.ts';

describe('webhook signature', () => {
  const body = '{"id":"e1","type":"payment.created"}';
  it('signs t.body with HMAC-SHA256 and verifies within the tolerance', () => {
    const header = signWebhook('whsec_test', 1_700_000_000, body);
    // Computed independently: printf '1700000000.%s' "$body" | openssl dgst -sha256 -hmac whsec_test
    expect(header).toBe('t=1700000000,v1=22b70eb794c328505b7ac001ff0a54bcee478c6522a09787a8d3f7c1b064b57d');
    expect(verifyWebhookSignature(header, body, 'whsec_test', { nowSeconds: 1_700_000_000 + 299 })).toBe(true);
  });
  it('refuses another secret, a changed body and an old timestamp', () => {
    const header = signWebhook('whsec_test', 1_700_000_000, body);
    expect(verifyWebhookSignature(header, body, 'whsec_other', { nowSeconds: 1_700_000_000 })).toBe(false);
    expect(verifyWebhookSignature(header, body + ' ', 'whsec_test', { nowSeconds: 1_700_000_000 })).toBe(false);
    expect(verifyWebhookSignature(header, body, 'whsec_test', { nowSeconds: 1_700_000_000 + 301 })).toBe(false);
  });
  it('retries after base, then doubling', () => {
    expect([1, 2, 3, 4].map((n) => nextRetryDelayMs(5000, n))).toEqual([5000, 10_000, 20_000, 40_000]);
  });
});
