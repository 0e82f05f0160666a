import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createProcessor } from './create-processor.ts';
import { SandboxProcessor } from './sandbox-processor.ts';
import { StripeProcessor, StripeWebhookError } from './stripe-processor.ts';

describe('createProcessor', () => {
  it('uses the sandbox by default and when asked', () => {
    expect(createProcessor({})).toBeInstanceOf(SandboxProcessor);
    expect(createProcessor({ processor: 'sandbox', stripeSecretKey: 'sk_test_ignored' }).name).toBe('sandbox');
  });

  it('refuses Stripe without a secret key, naming the setting', () => {
    expect(() => createProcessor({ processor: 'stripe' })).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => createProcessor({ processor: 'stripe', stripeSecretKey: '' })).toThrow(/STRIPE_SECRET_KEY/);
  });

  it('refuses an unknown processor name', () => {
    expect(() => createProcessor({ processor: 'paypal' as 'stripe' })).toThrow(/Unknown PAYMENT_PROCESSOR/);
  });

  it('refuses an API base that is not http(s)', () => {
    expect(() => createProcessor({ processor: 'stripe', stripeSecretKey: 'sk_test_x', stripeApiBase: 'ftp://127.0.0.1' })).toThrow(
      /http\(s\)/,
    );
  });

  it('builds Stripe with the key, webhook secret and API base it is given', async () => {
    const seen: { path: string | undefined; auth: string | undefined }[] = [];
    const server = createServer((req, res) => {
      seen.push({ path: req.url, auth: req.headers.authorization });
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 're_123', object: 'refund', amount: 100, currency: 'usd', status: 'succeeded' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const stripe = createProcessor({
        processor: 'stripe',
        stripeSecretKey: 'sk_test_wired',
        stripeApiBase: `http://127.0.0.1:${port}`,
      });
      expect(stripe).toBeInstanceOf(StripeProcessor);
      expect(stripe.name).toBe('stripe');
      const result = await stripe.refund({ chargeReference: 'pi_1', amountCents: 100, reason: 'other', idempotencyKey: 'k1' });
      expect(result.reference).toBe('re_123');
      expect(seen).toEqual([{ path: '/v1/refunds', auth: 'Bearer sk_test_wired' }]);
      // No webhook secret given: webhooks are refused as not configured.
      expect(() => (stripe as StripeProcessor).verifyWebhook('{}', 't=1,v1=00')).toThrow(StripeWebhookError);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
