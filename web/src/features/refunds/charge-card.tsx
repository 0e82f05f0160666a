import { Alert, Card, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { ChargeResult, Payment } from '../../api/types';
import { CardEntryForm, type CardCharge } from '../../portal/card-entry-form';
import { formatCents } from '../../ui/money';
import { useIdempotencyKey } from '../ledger/idempotency';
import { useCardCharge } from './refunds-api';

/** Charges a Pending or Failed payment to a card through the processor: the sandbox's test-card field, or Stripe's element. */
export function ChargeCard({ payment }: { payment: Payment }) {
  const calls = useCardCharge(payment.id);
  const idempotency = useIdempotencyKey();
  const [declined, setDeclined] = useState<string | null>(null);
  // A charge started here keeps this form (and Stripe's element) mounted while the payment reads Processing,
  // until finish answers: a refetch in between must not unmount the element the browser is confirming with.
  const [inFlight, setInFlight] = useState(false);
  const charge: CardCharge<ChargeResult> = {
    withNumber: (card) => {
      const source = card.replace(/[\s-]/g, '');
      return calls.withNumber(source, idempotency.keyFor({ source }));
    },
    start: () => {
      setInFlight(true);
      return calls.start(idempotency.keyFor({ start: payment.id }));
    },
    finish: (reference) => calls.finish(reference).finally(() => setInFlight(false)),
  };

  const onResult = (result: ChargeResult) => {
    setInFlight(false);
    idempotency.reset();
    if (result.failure) {
      setDeclined(result.failure);
    } else if (result.status === 'paid') {
      setDeclined(null);
      notifications.show({ color: 'green', title: `${result.number} is paid`, message: `${formatCents(result.amountCents)} charged to the card.` });
    }
  };

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="charge-title">
      <Title order={2} size="h4" id="charge-title" mb="sm">
        Charge a card
      </Title>
      {declined ? (
        <Alert color="red" title="The card was not charged" role="alert" mb="sm">
          {declined}
        </Alert>
      ) : null}
      {payment.status === 'processing' && !inFlight ? (
        <Text size="sm">A card charge is with the processor; this page shows its outcome once the processor answers.</Text>
      ) : (
        <CardEntryForm amountCents={payment.amountCents} submitLabel="Charge" charge={charge} onResult={onResult} ariaLabel="Charge a card">
          <Text size="sm" c="dimmed">
            Charges {formatCents(payment.amountCents)} through the payment processor.
          </Text>
        </CardEntryForm>
      )}
    </Card>
  );
}
