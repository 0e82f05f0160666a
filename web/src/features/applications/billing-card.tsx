import { Badge, Button, Card, Group, Stack, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { Payment, PatientTreatmentSummary } from '../../api/types';
import { DetailList } from '../../ui/detail-list';
import { Money } from '../../ui/money';
import { LoadingState, QueryError } from '../../ui/states';
import { useApplications } from './applications-api';
import { ApplicationsTable } from './applications-table';
import { ApplyPaymentDialog } from './apply-payment-dialog';

interface Props {
  payment: Payment;
  treatments: PatientTreatmentSummary[];
  canApply: boolean;
}

/**
 * The billing view of a payment (SPEC section 4): amount net of refunds,
 * reference, applied and unapplied (negative when over-applied), with the
 * applications themselves.
 */
export function BillingCard({ payment, treatments, canApply }: Props) {
  const billing = payment.billing;
  const applications = useApplications(payment.id);
  const [applying, { open, close }] = useDisclosure(false);
  const received = payment.status === 'paid' || payment.status === 'partially_refunded';
  const showApply = canApply && received && billing.unappliedCents > 0;

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="billing-title" data-testid="billing-view">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Group gap="xs">
          <Title order={2} size="h4" id="billing-title">
            Billing
          </Title>
          {billing.overApplied ? (
            <Badge color="red" data-testid="over-applied-badge">
              Over-applied
            </Badge>
          ) : null}
        </Group>
        {showApply ? (
          <Button size="xs" variant="light" onClick={open}>
            Apply to treatment
          </Button>
        ) : null}
      </Group>
      <Stack gap="md">
        <DetailList
          cols={4}
          items={[
            { label: 'Net amount', value: <Money cents={billing.netAmountCents} data-testid="billing-net" /> },
            { label: 'Reference', value: <span data-testid="billing-reference">{billing.reference || '—'}</span> },
            { label: 'Applied', value: <Money cents={billing.appliedCents} data-testid="billing-applied" /> },
            { label: 'Unapplied', value: <Money cents={billing.unappliedCents} signColor data-testid="billing-unapplied" /> },
          ]}
        />
        <Title order={3} size="h6">
          Applications
        </Title>
        {applications.isPending ? (
          <LoadingState label="Loading applications…" />
        ) : applications.isError ? (
          <QueryError query={applications} />
        ) : (
          <ApplicationsTable applications={applications.data.items} treatments={treatments} canUnapply={canApply} />
        )}
      </Stack>
      <ApplyPaymentDialog payment={payment} treatments={treatments} opened={applying} onClose={close} />
    </Card>
  );
}
