import { describe, expect, it } from 'vitest';
import { nextRetryDelayMs, RETRY_WINDOW_MS, signWebhook, verifyWebhookSignature } from './signature.ts';

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

describe('webhook signatures: edges (mutation testing, ADR 0023)', () => {
  const body = '{"id":"evt_1"}';
  const now = 1_800_000_000;
  const header = signWebhook('whsec_test', now, body);

  it('accepts exactly at the tolerance, refuses a second past it, and a header without a timestamp', () => {
    expect(verifyWebhookSignature(header, body, 'whsec_test', { nowSeconds: now + 300 })).toBe(true);
    expect(verifyWebhookSignature(header, body, 'whsec_test', { nowSeconds: now + 301 })).toBe(false);
    expect(verifyWebhookSignature(header.replace(/^t=\d+,/, ''), body, 'whsec_test', { nowSeconds: now })).toBe(false);
    // With the real clock: a signature made now passes, one from 1970 does not.
    expect(verifyWebhookSignature(signWebhook('whsec_test', Math.floor(Date.now() / 1000), body), body, 'whsec_test')).toBe(true);
    expect(verifyWebhookSignature(signWebhook('whsec_test', 1000, body), body, 'whsec_test')).toBe(false);
  });

  it('only a v1 part that matches counts; a wrong or bare v1 beside a good one does not spoil it', () => {
    const mac = header.split('v1=')[1]!;
    expect(verifyWebhookSignature(`t=${now},v0=${mac}`, body, 'whsec_test', { nowSeconds: now })).toBe(false);
    expect(verifyWebhookSignature(`t=${now},v1=${'0'.repeat(64)},v1=${mac}`, body, 'whsec_test', { nowSeconds: now })).toBe(true);
    expect(verifyWebhookSignature(`t=${now},v1,v1=${mac}`, body, 'whsec_test', { nowSeconds: now })).toBe(true);
    expect(verifyWebhookSignature(`t=${now},v1=${mac.slice(1)}`, body, 'whsec_test', { nowSeconds: now })).toBe(false);
    expect(verifyWebhookSignature(`t=${now},v1=${'0'.repeat(64)}`, body, 'whsec_test', { nowSeconds: now })).toBe(false);
    expect(verifyWebhookSignature(`t=${now},v1`, body, 'whsec_test', { nowSeconds: now })).toBe(false);
    expect(verifyWebhookSignature(`t=${now}`, body, 'whsec_test', { nowSeconds: now })).toBe(false);
    expect(verifyWebhookSignature(`v1=${mac},t=${now}`, body, 'whsec_test', { nowSeconds: now })).toBe(true);
  });

  it('deliveries are retried for three days', () => {
    expect(RETRY_WINDOW_MS).toBe(3 * 24 * 60 * 60 * 1000);
  });
});
