import { Alert, Button, Card, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { describeError } from '../../api/describe-error';
import type { Payment } from '../../api/types';
import { formatCents } from '../../ui/money';
import { useIdempotencyKey } from '../ledger/idempotency';
import { useChargePayment } from './refunds-api';

/** Charges a Pending or Failed payment to a card through the processor. */
export function ChargeCard({ payment }: { payment: Payment }) {
  const charge = useChargePayment(payment.id);
  const idempotency = useIdempotencyKey();
  const [source, setSource] = useState('');
  const [declined, setDeclined] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const cleaned = source.replace(/[\s-]/g, '');
    if (!cleaned) {
      setError('Enter the card number or processor token');
      return;
    }
    setDeclined(null);
    const body = { source: cleaned };
    charge.mutate(
      { source: cleaned, idempotencyKey: idempotency.keyFor(body) },
      {
        onSuccess: (result) => {
          idempotency.reset();
          if (result.failure) {
            setDeclined(result.failure);
          } else {
            setSource('');
            notifications.show({ color: 'green', title: `${result.number} is paid`, message: `${formatCents(result.amountCents)} charged to the card.` });
          }
        },
      },
    );
  };
  const failure = charge.error ? describeError(charge.error) : null;

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="charge-title">
      <Title order={2} size="h4" id="charge-title" mb="sm">
        Charge a card
      </Title>
      <form onSubmit={submit} noValidate aria-label="Charge a card">
        <Stack gap="sm">
          {declined ? (
            <Alert color="red" title="The card was not charged" role="alert">
              {declined}
            </Alert>
          ) : null}
          {failure ? (
            <Alert color="red" title={failure.title} role="alert">
              {failure.message}
            </Alert>
          ) : null}
          <Text size="sm" c="dimmed">
            Charges {formatCents(payment.amountCents)} through the payment processor.
          </Text>
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput
              label="Card number"
              inputMode="numeric"
              autoComplete="off"
              value={source}
              onChange={(e) => {
                setSource(e.currentTarget.value);
                setError(null);
              }}
              error={error}
              style={{ flex: '1 1 12rem' }}
            />
            <Button type="submit" loading={charge.isPending}>
              Charge
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
