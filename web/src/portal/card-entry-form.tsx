import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { Elements, PaymentElement, useElements, useStripe } from '@stripe/react-stripe-js';
import { loadStripe, type Stripe } from '@stripe/stripe-js';
import { useState, type FormEvent, type ReactNode } from 'react';
import { MutationError } from '../ui/mutation-error';
import { LoadingState, QueryError } from '../ui/states';
import { CardField, looksLikeCard } from './card-field';
import { useCardEntry } from './portal-api';

/** What starting a charge in the processor's element answers: what the browser confirms, or why it could not start. */
export interface HostedStart {
  chargeReference: string | null;
  clientSecret: string | null;
}

/**
 * The three ways a page charges a card. With the sandbox, `withNumber` sends
 * the test card number. With Stripe (ADR 0027), `start` has our server
 * create the charge, Stripe.js confirms it with the card typed into Stripe's
 * element (the number goes to Stripe only), and `finish` has our server read
 * it back from Stripe and book it.
 */
export interface CardCharge<R> {
  withNumber(card: string): Promise<R>;
  start(): Promise<R & HostedStart>;
  finish(chargeReference: string): Promise<R>;
}

interface Props<R> {
  amountCents: number;
  submitLabel: string;
  /** The page's own fields (an amount), checked before any card is taken. */
  validate?: () => boolean;
  charge: CardCharge<R>;
  onResult: (result: R) => void;
  onError?: (error: unknown) => void;
  children?: ReactNode;
  ariaLabelledBy?: string;
  ariaLabel?: string;
}

const stripes = new Map<string, Promise<Stripe | null>>();
/** Stripe.js is loaded once per key, and only on pages that take a card. */
function stripeFor(publishableKey: string) {
  let loaded = stripes.get(publishableKey);
  if (!loaded) {
    loaded = loadStripe(publishableKey);
    stripes.set(publishableKey, loaded);
  }
  return loaded;
}

/** A card payment form: the page's fields, then the card (our test-card field or Stripe's element, as the server says), then Pay. */
export function CardEntryForm<R>(props: Props<R>) {
  const cardEntry = useCardEntry();
  if (cardEntry.isPending) return <LoadingState label="Loading the card form…" />;
  if (cardEntry.isError) return <QueryError query={cardEntry} />;
  const entry = cardEntry.data;
  if (entry.mode === 'our_form') return <NumberForm {...props} />;
  if (!entry.publishableKey) {
    return (
      <Alert color="yellow" title="Card payments are not available" role="status">
        Online card payments are not set up for this practice yet. Please contact the office to pay.
      </Alert>
    );
  }
  return (
    // Stripe's deferred-intent flow: the element shows before any charge exists; the charge is made when Pay is pressed.
    <Elements stripe={stripeFor(entry.publishableKey)} options={{ mode: 'payment', amount: Math.max(props.amountCents, 50), currency: 'usd' }}>
      <ElementForm {...props} />
    </Elements>
  );
}

function FormFrame<R>({ props, onSubmit, busy, error, card }: { props: Props<R>; onSubmit: (event: FormEvent) => void; busy: boolean; error: unknown; card: ReactNode }) {
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby={props.ariaLabelledBy} aria-label={props.ariaLabel}>
      <Stack gap="md">
        {props.children}
        {card}
        <MutationError error={error} />
        <Group justify="flex-end">
          <Button type="submit" loading={busy}>
            {props.submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** One attempt at a time: busy while it runs, and what it threw (also told to the page). */
function useAttempt(onError: ((error: unknown) => void) | undefined) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failed) {
      setError(failed);
      onError?.(failed);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

function NumberForm<R>(props: Props<R>) {
  const [card, setCard] = useState('');
  const [touched, setTouched] = useState(false);
  const { busy, error, run } = useAttempt(props.onError);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    const fieldsOk = props.validate ? props.validate() : true;
    if (!fieldsOk || !looksLikeCard(card)) return;
    await run(async () => {
      const result = await props.charge.withNumber(card.trim());
      props.onResult(result);
      if ((result as { status?: string }).status === 'paid') {
        setCard('');
        setTouched(false);
      }
    });
  }

  return (
    <FormFrame
      props={props}
      onSubmit={(event) => void submit(event)}
      busy={busy}
      error={error}
      card={<CardField value={card} onChange={setCard} error={touched && !looksLikeCard(card) ? 'Enter the card number' : null} />}
    />
  );
}

function ElementForm<R>(props: Props<R>) {
  const stripe = useStripe();
  const elements = useElements();
  const { busy, error, run } = useAttempt(props.onError);
  const [cardProblem, setCardProblem] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (props.validate && !props.validate()) return;
    if (!stripe || !elements) return;
    setCardProblem(null);
    await run(async () => {
      // Stripe checks what was typed in its element first; nothing is charged or created if it is incomplete.
      const checked = await elements.submit();
      if (checked.error) {
        setCardProblem(checked.error.message ?? 'Check the card details.');
        return;
      }
      const started = await props.charge.start();
      if (!started.clientSecret || !started.chargeReference) {
        props.onResult(started);
        return;
      }
      const confirmed = await stripe.confirmPayment({ elements, clientSecret: started.clientSecret, redirect: 'if_required', confirmParams: { return_url: window.location.href } });
      // Whatever Stripe.js says, our server asks Stripe itself and books only that (a decline is booked as Failed).
      const result = await props.charge.finish(started.chargeReference);
      props.onResult(result);
      if (confirmed.error && confirmed.error.type !== 'card_error') setCardProblem(confirmed.error.message ?? null);
    });
  }

  return (
    <FormFrame
      props={props}
      onSubmit={(event) => void submit(event)}
      busy={busy}
      error={error}
      card={
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            Card
          </Text>
          <div data-testid="stripe-payment-element">
            <PaymentElement />
          </div>
          {cardProblem ? (
            <Text size="sm" c="red.9" role="alert">
              {cardProblem}
            </Text>
          ) : null}
        </Stack>
      }
    />
  );
}
