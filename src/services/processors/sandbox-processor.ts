import { createHash } from 'node:crypto';
import type { ChargeInput, ChargeLookup, ChargeResult, PaymentProcessor, PayoutItem, RefundInput, RefundResult } from './payment-processor.ts';
import { ProcessorError } from './payment-processor.ts';

/**
 * Test cards of the sandbox processor, modelled on the processors' own test
 * numbers. The card's behaviour travels in the charge reference, so a refund
 * of that charge later behaves the same, deterministically, after restarts.
 */
export const sandboxCards = {
  success: '4242424242424242',
  chargeDeclined: '4000000000000002',
  refundDeclined: '4000000000005126',
  refundTimeout: '4000000000000119',
  /** Succeeds after 2 seconds: the window in which a charge is with the processor, for tests of the charge lock. */
  slowSuccess: '4000000000000077',
} as const;

const behaviourOfCard: Record<string, string> = {
  [sandboxCards.success]: 'ok',
  [sandboxCards.refundDeclined]: 'refunddecline',
  [sandboxCards.refundTimeout]: 'refundtimeout',
  [sandboxCards.slowSuccess]: 'slow',
};

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 20);
}

/**
 * The default processor: no network, no keys. Charges to the success card
 * succeed (the slow card after 2 seconds), the declined card is declined; refunds of charges made with the
 * refund-decline card are declined, with the refund-timeout card time out.
 * Payments recorded by hand as card payments (no charge through us) refund
 * like the success card. Idempotency keys are remembered for the process's
 * life, as a real processor remembers them for a day.
 */
export class SandboxProcessor implements PaymentProcessor {
  readonly name = 'sandbox' as const;
  // The sandbox takes its test card numbers from our own form.
  readonly hostedCardEntry = null;
  private readonly charges = new Map<string, ChargeResult>();
  private readonly refunds = new Map<string, RefundResult>();
  private readonly payouts = new Map<string, PayoutItem[]>();
  /** How many refunds actually moved money, for tests that prove a retry never refunds twice. */
  refundCount = 0;

  constructor(private readonly options: { timeoutMs?: number; slowChargeMs?: number } = {}) {}

  async charge(input: ChargeInput): Promise<ChargeResult> {
    const earlier = this.charges.get(input.idempotencyKey);
    if (earlier) return earlier;
    const card = input.source.replace(/[\s-]/g, '');
    const behaviour = behaviourOfCard[card];
    if (!behaviour) throw new ProcessorError('declined', 'The card was declined.');
    if (behaviour === 'slow') await new Promise((resolve) => setTimeout(resolve, this.options.slowChargeMs ?? 2_000));
    // A retry with the same key that arrived during the wait answers with the first charge.
    const meanwhile = this.charges.get(input.idempotencyKey);
    if (meanwhile) return meanwhile;
    const result = { reference: `sbx_ch_${behaviour}_${shortHash(input.idempotencyKey)}`, cardLast4: card.slice(-4) };
    this.charges.set(input.idempotencyKey, result);
    return result;
  }

  /** Only this process's charges: a charge asked for by a process that stopped was never made by its sandbox. */
  async findCharge(input: { idempotencyKey: string; paymentId: string }): Promise<ChargeLookup> {
    const made = this.charges.get(input.idempotencyKey);
    return made ? { state: 'succeeded', ...made } : { state: 'not_found' };
  }

  /**
   * The sandbox pays nothing out by itself: a payout is what was recorded
   * with `recordPayout` (tests, demos), so the answer is deterministic.
   */
  async payoutItems(payoutId: string): Promise<PayoutItem[]> {
    return this.payouts.get(payoutId) ?? [];
  }

  /** Stands in for the processor's own record of a payout, for sandbox payout events. */
  recordPayout(payoutId: string, items: PayoutItem[]): void {
    this.payouts.set(payoutId, items);
  }

  async refund(input: RefundInput): Promise<RefundResult> {
    const earlier = this.refunds.get(input.idempotencyKey);
    if (earlier) return earlier;
    if (input.chargeReference.startsWith('sbx_ch_refunddecline_')) {
      throw new ProcessorError('declined', 'The processor declined the refund (test card 4000 0000 0000 5126).');
    }
    if (input.chargeReference.startsWith('sbx_ch_refundtimeout_')) {
      await new Promise((resolve) => setTimeout(resolve, this.options.timeoutMs ?? 50));
      throw new ProcessorError('unavailable', 'The processor did not answer in time; no refund was made. Try again.');
    }
    const result = { reference: `sbx_re_${shortHash(input.idempotencyKey)}` };
    this.refunds.set(input.idempotencyKey, result);
    this.refundCount++;
    return result;
  }
}
