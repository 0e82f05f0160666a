import type { PaymentProcessor } from './payment-processor.ts';
import { SandboxProcessor } from './sandbox-processor.ts';
import { StripeProcessor } from './stripe-processor.ts';

export interface ProcessorConfig {
  /** PAYMENT_PROCESSOR; the sandbox when absent, so a fresh install never needs keys. */
  processor?: 'sandbox' | 'stripe';
  stripeSecretKey?: string | undefined;
  stripeWebhookSecret?: string | undefined;
  stripeApiBase?: string | undefined;
  stripePublishableKey?: string | undefined;
}

/** The one place that decides which processor the app talks to. */
export function createProcessor(config: ProcessorConfig): PaymentProcessor {
  const kind = config.processor ?? 'sandbox';
  if (kind === 'sandbox') return new SandboxProcessor();
  if (kind === 'stripe') {
    // Fail at start rather than at the first refund.
    if (!config.stripeSecretKey) throw new Error('PAYMENT_PROCESSOR=stripe needs STRIPE_SECRET_KEY.');
    return new StripeProcessor({
      secretKey: config.stripeSecretKey,
      ...(config.stripeWebhookSecret ? { webhookSecret: config.stripeWebhookSecret } : {}),
      ...(config.stripeApiBase ? { apiBase: config.stripeApiBase } : {}),
      ...(config.stripePublishableKey ? { publishableKey: config.stripePublishableKey } : {}),
    });
  }
  throw new Error(`Unknown PAYMENT_PROCESSOR: ${String(kind)} (expected sandbox or stripe).`);
}
