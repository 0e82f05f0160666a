import { Alert, Stack, Text, Title } from '@mantine/core';
import { useRef, useState } from 'react';
import { isApiError } from '../api/client';
import { describeError } from '../api/describe-error';
import { formatCalendarDate, formatInstant } from '../ui/dates';
import { formatCents, Money } from '../ui/money';
import { LoadingState } from '../ui/states';
import { CardEntryForm, type CardCharge } from './card-entry-form';
import { linkCharge, newIdempotencyKey, usePaymentLink, type ChargeOutcome, type PaymentLinkView } from './portal-api';
import { PortalShell } from './portal-shell';

const notPayable: Record<NonNullable<PaymentLinkView['reason']>, (practice: string) => { color: string; title: string; text: string }> = {
  expired: (practice) => ({ color: 'yellow', title: 'This link has expired', text: `It can no longer take a payment. Please ask ${practice} for a new link.` }),
  paid: () => ({ color: 'teal', title: 'Already paid', text: 'This payment has been paid. Thank you!' }),
  cancelled: (practice) => ({ color: 'gray', title: 'This payment was cancelled', text: `Nothing is due through this link. Questions? Contact ${practice}.` }),
  processing: () => ({ color: 'blue', title: 'Being processed', text: 'This payment is being processed. Reload the page in a moment.' }),
};

/** The page a payment link opens (/pay/:token): what is due, to whom, and a card to pay it with. */
export function PaymentLinkPage({ token }: { token: string }) {
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
  const [result, setResult] = useState<ChargeOutcome | null>(null);
  const idempotencyKey = useRef(newIdempotencyKey());
  const blocked = view.reason ? notPayable[view.reason](view.practiceName) : null;
  const calls = linkCharge(token);
  const charge: CardCharge<ChargeOutcome> = {
    withNumber: (card) => calls.withNumber(card, idempotencyKey.current),
    start: () => calls.start(idempotencyKey.current),
    finish: (reference) => calls.finish(reference),
  };
  const onResult = (outcome: ChargeOutcome) => {
    // The next press is a new attempt.
    idempotencyKey.current = newIdempotencyKey();
    setResult(outcome);
  };
  const onError = (error: unknown) => {
    if (isApiError(error) && error.status > 0) idempotencyKey.current = newIdempotencyKey();
    onChanged();
  };

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
        <Stack gap="md">
          <Title order={2} size="h5" id="link-pay-title">
            Pay by card
          </Title>
          {result && result.status !== 'paid' ? (
            <Alert color="red" title="The card was not charged" role="alert">
              {result.failure ?? 'The payment did not go through.'} Nothing was taken; you can try another card.
            </Alert>
          ) : null}
          <CardEntryForm
            amountCents={view.amountCents}
            submitLabel={`Pay ${formatCents(view.amountCents)}`}
            charge={charge}
            onResult={onResult}
            onError={onError}
            ariaLabelledBy="link-pay-title"
          />
        </Stack>
      )}
    </Stack>
  );
}
