import type { Db } from '../../db/transaction.ts';
import type { PaymentProcessor, ReconciliationEvent } from '../processors/payment-processor.ts';
import { bookConfirmedCharge } from './book-confirmed-charge.ts';
import { paymentForCharge } from './payment-for-charge.ts';
import { closeDispute } from './close-dispute.ts';
import { openDispute } from './open-dispute.ts';
import { recordPayout } from './record-payout.ts';

export interface ReconciliationOutcome {
  kind: ReconciliationEvent['kind'];
  outcome: string;
  /** The event concerns nothing we know (a charge made in the processor's dashboard): listed when its payout comes, never guessed. */
  unmatched: boolean;
  payout?: Awaited<ReturnType<typeof recordPayout>>;
}

/**
 * The one entry for processor events, whichever processor and transport
 * (Stripe's signed webhook, the sandbox's simulated events): each kind goes
 * to its service, each of which books at most once.
 */
export async function handleProcessorEvent(db: Db, processor: PaymentProcessor, event: ReconciliationEvent | undefined): Promise<ReconciliationOutcome | undefined> {
  if (!event) return undefined;
  switch (event.kind) {
    case 'dispute_opened': {
      const result = await openDispute(db, processor.name, event.dispute);
      return { kind: event.kind, outcome: result.outcome, unmatched: result.outcome === 'unmatched' };
    }
    case 'dispute_closed': {
      const result = await closeDispute(db, processor.name, event.dispute, event.outcome);
      return { kind: event.kind, outcome: result.outcome, unmatched: result.outcome === 'unmatched' };
    }
    case 'payout_paid': {
      const payout = await recordPayout(db, processor, event.payout);
      return { kind: event.kind, outcome: payout.recorded > 0 ? 'recorded' : 'already_recorded', unmatched: payout.unmatched + payout.unassigned > 0, payout };
    }
    case 'charge_succeeded': {
      // A charge of ours still Processing (the patient's browser confirmed it and has not told us yet): booked here, once.
      if (event.attempt && event.chargeReferences[0]) {
        const booked = await bookConfirmedCharge(db, processor, event.attempt, event.chargeReferences[0]);
        if (booked !== 'not_ours') return { kind: event.kind, outcome: booked, unmatched: false };
      }
      // Our own charges are otherwise booked by the charge itself; this only tells whether one was made without us.
      const payment = await paymentForCharge(db, event.chargeReferences);
      return { kind: event.kind, outcome: payment ? 'known' : 'unmatched', unmatched: !payment };
    }
  }
}
