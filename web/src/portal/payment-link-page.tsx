import { Alert, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useRef, useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import { isApiError } from '../api/client';
import { describeError } from '../api/describe-error';
import { formatCalendarDate, formatInstant } from '../ui/dates';
import { formatCents, Money } from '../ui/money';
import { LoadingState } from '../ui/states';
import { CardField, looksLikeCard } from './card-field';
import { newIdempotencyKey, usePayLink, usePaymentLink, type ChargeOutcome, type PaymentLinkView } from './portal-api';
import { PortalShell } from './portal-shell';

const notPayable: Record<NonNullable<PaymentLinkView['reason']>, (practice: string) => { color: string; title: string; text: string }> = {
  expired: (practice) => ({ color: 'yellow', title: 'This link has expired', text: `It can no longer take a payment. Please ask ${practice} for a new link.` }),
  paid: () => ({ color: 'teal', title: 'Already paid', text: 'This payment has been paid. Thank you!' }),
  cancelled: (practice) => ({ color: 'gray', title: 'This payment was cancelled', text: `Nothing is due through this link. Questions? Contact ${practice}.` }),
  processing: () => ({ color: 'blue', title: 'Being processed', text: 'This payment is being processed. Reload the page in a moment.' }),
};

/** The page a payment link opens (/pay/:token): what is due, to whom, and a card to pay it with. */
export function PaymentLinkPage() {
  const { token = '' } = useParams();
  const link = usePaymentLink(token);

  if (link.isPending) {
    return (
      <PortalShell>
        <LoadingState label="Loading your payment…" />
      </PortalShell>
    );
  }
  if (link.isError) {
    const invalid = isApiError(link.error) && link.error.status === 404;
    const problem = describeError(link.error);
    return (
      <PortalShell>
        <Alert color="red" title={invalid ? 'This payment link is not valid' : problem.title} role="alert">
          {invalid ? 'Check that you opened the whole link, or ask the practice for a new one.' : problem.message}
        </Alert>
      </PortalShell>
    );
  }
  return (
    <PortalShell practiceName={link.data.practiceName}>
      <LinkPayment token={token} view={link.data} onChanged={() => void link.refetch()} />
    </PortalShell>
  );
}

function LinkPayment({ token, view, onChanged }: { token: string; view: PaymentLinkView; onChanged: () => void }) {
  const pay = usePayLink(token);
  const [card, setCard] = useState('');
  const [touched, setTouched] = useState(false);
  const [result, setResult] = useState<ChargeOutcome | null>(null);
  const idempotencyKey = useRef(newIdempotencyKey());
  const cardError = touched && !looksLikeCard(card) ? 'Enter the card number' : null;
  const failure = pay.error ? describeError(pay.error) : null;
  const blocked = view.reason ? notPayable[view.reason](view.practiceName) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!looksLikeCard(card)) return;
    setResult(null);
    pay.mutate(
      { card: card.trim(), idempotencyKey: idempotencyKey.current },
      {
        onSuccess: (outcome) => {
          idempotencyKey.current = newIdempotencyKey();
          setResult(outcome);
          if (outcome.status === 'paid') setCard('');
        },
        onError: (error) => {
          if (isApiError(error) && error.status > 0) idempotencyKey.current = newIdempotencyKey();
          onChanged();
        },
      },
    );
  }

  return (
    <Stack gap="lg">
      <Stack gap={2}>
        <Text size="sm" c="dimmed">
          Payment <span data-testid="link-payment-number">{view.number}</span>
          {view.serviceDate ? ` · visit of ${formatCalendarDate(view.serviceDate)}` : ''}
        </Text>
        <Text size="sm">Amount due</Text>
        <Money cents={view.amountCents} fz={32} fw={700} data-testid="link-amount" />
        {view.payable ? (
          <Text size="xs" c="dimmed">
            This link expires {formatInstant(view.expiresAt)}.
          </Text>
        ) : null}
      </Stack>

      {result?.status === 'paid' ? (
        <Alert color="teal" title="Thank you!" role="status" data-testid="link-paid">
          Payment {result.paymentNumber} of {formatCents(result.amountCents)} was received.
        </Alert>
      ) : blocked ? (
        <Alert color={blocked.color} title={blocked.title} role="status" data-testid="link-not-payable">
          {blocked.text}
        </Alert>
      ) : (
        <form onSubmit={submit} noValidate aria-labelledby="link-pay-title">
          <Stack gap="md">
            <Title order={2} size="h5" id="link-pay-title">
              Pay by card
            </Title>
            {result && result.status !== 'paid' ? (
              <Alert color="red" title="The card was not charged" role="alert">
                {result.failure ?? 'The payment did not go through.'} Nothing was taken; you can try another card.
              </Alert>
            ) : null}
            <CardField value={card} onChange={setCard} error={cardError} />
            {failure ? (
              <Alert color="red" title={failure.title} role="alert">
                {failure.message}
              </Alert>
            ) : null}
            <Group justify="flex-end">
              <Button type="submit" loading={pay.isPending}>
                Pay {formatCents(view.amountCents)}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Stack>
  );
}
