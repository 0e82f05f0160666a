import type { Db } from '../../db/transaction.ts';
import type { PaymentProcessor, ReconciliationEvent } from '../processors/payment-processor.ts';
import { bookConfirmedCharge } from './book-confirmed-charge.ts';
import { bookProcessorCharge } from './book-processor-charge.ts';
import { closeDispute } from './close-dispute.ts';
import { openDispute } from './open-dispute.ts';
import { recordPayout } from './record-payout.ts';

export interface ReconciliationOutcome {
  kind: ReconciliationEvent['kind'];
  outcome: string;
  /** The event concerns nothing we could book (a dispute on a charge not ours, a dashboard charge no practice can be told for): logged, never guessed. */
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
      const reference = event.charge.chargeReferences[0];
      if (event.attempt && reference) {
        const booked = await bookConfirmedCharge(db, processor, event.attempt, reference);
        if (booked !== 'not_ours') return { kind: event.kind, outcome: booked, unmatched: false };
      }
      // Our own charges are otherwise booked by the charge itself; one made in the dashboard is booked here, once (ADR 0028).
      const result = await bookProcessorCharge(db, processor.name, event.charge);
      return { kind: event.kind, outcome: result.outcome === 'ours' ? 'known' : result.outcome, unmatched: result.outcome === 'unassigned' };
    }
  }
}
