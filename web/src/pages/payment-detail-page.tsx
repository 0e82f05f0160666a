import { Anchor, Button, Grid, Group, Stack, Title, useMantineTheme } from '@mantine/core';
import { useState } from 'react';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { Link, useParams } from 'react-router';
import { BillingCard } from '../features/applications/billing-card';
import { HistoryPanel } from '../features/audit/history-panel';
import { SendMessageDialog } from '../features/messages/send-message-dialog';
import { can } from '../features/auth/permissions';
import { useCurrentSession } from '../features/auth/use-current-session';
import { PatientCard } from '../features/patients/patient-card';
import { usePatient } from '../features/patients/patients-api';
import { PaymentDocuments } from '../features/payments/payment-documents';
import { PaymentEditForm } from '../features/payments/payment-edit-form';
import { PaymentLinkCard } from '../features/payments/payment-link-card';
import { PaymentNotes } from '../features/payments/payment-notes';
import { PaymentStatusCard } from '../features/payments/payment-status-card';
import { PaymentSummary } from '../features/payments/payment-summary';
import { usePayment } from '../features/payments/payments-api';
import { collectedStatuses } from '../features/payments/labels';
import { OverdueBadge, StatusBadge } from '../features/payments/status-badge';
import { TreatmentCard } from '../features/payments/treatment-card';
import { ChargeCard } from '../features/refunds/charge-card';
import { refundActionLabel } from '../features/refunds/labels';
import { isRefundable, RefundDialog } from '../features/refunds/refund-dialog';
import { RefundsCard } from '../features/refunds/refunds-card';
import { LoadingState, QueryError } from '../ui/states';

export function PaymentDetailPage() {
  const { id = '' } = useParams();
  const { user } = useCurrentSession();
  const payment = usePayment(id);
  const patient = usePatient(payment.data?.patientId ?? null);
  const [refunding, refundDialog] = useDisclosure(false);
  const [sending, setSending] = useState<'receipt' | 'link' | null>(null);
  // Read at once (not after a first render) so a laptop never mounts the stacked layout first.
  const wide = useMediaQuery(`(min-width: ${useMantineTheme().breakpoints.md})`, undefined, { getInitialValueInEffect: false });

  if (payment.isPending) return <LoadingState label="Loading payment…" />;
  if (payment.isError) {
    return (
      <Stack>
        <Anchor component={Link} to="/payments" size="sm">
          ← Payments
        </Anchor>
        <QueryError query={payment} />
      </Stack>
    );
  }
  const p = payment.data;
  const mayRefund = can(user.role, 'refunds:write');
  const canRefund = mayRefund && isRefundable(p);
  // Processing too: a charge started on this page keeps its card form until the processor has answered (charge-card.tsx).
  const canCharge = can(user.role, 'payments:write') && (p.status === 'pending' || p.status === 'failed' || (p.status === 'processing' && p.method === 'card'));
  const canSend = can(user.role, 'payments:write') && patient.data !== undefined;
  const collected = collectedStatuses.includes(p.status);
  const linkable = p.status === 'draft' || p.status === 'pending' || p.status === 'failed';

  const money = (
    <>
      <PaymentSummary payment={p} />
      <BillingCard payment={p} treatments={patient.data?.treatments ?? []} canApply={can(user.role, 'applications:write')} />
      <RefundsCard paymentId={p.id} patient={patient.data} />
      <PaymentEditForm key={`edit-${p.updatedAt}`} payment={p} canEdit={can(user.role, 'payments:write')} />
    </>
  );
  const side = (
    <Stack gap="md">
      <PaymentStatusCard key={`status-${p.updatedAt}`} payment={p} canChange={can(user.role, 'payments:write')} />
      {canCharge ? <ChargeCard payment={p} /> : null}
      <PaymentLinkCard payment={p} canCreate={can(user.role, 'payments:write')} />
      {p.patient ? <PatientCard patient={p.patient} /> : null}
      <TreatmentCard treatment={p.treatment} />
    </Stack>
  );
  const records = (
    <>
      <PaymentNotes paymentId={p.id} />
      <PaymentDocuments paymentId={p.id} canUpload={can(user.role, 'payments:write')} />
      {can(user.role, 'audit:read') ? <HistoryPanel entityType="payment" entityId={p.id} /> : null}
    </>
  );

  return (
    <Stack gap="md">
      <Anchor component={Link} to="/payments" size="sm">
        ← Payments
      </Anchor>
      <Group justify="space-between" wrap="wrap">
        <Group gap="sm">
          <Title order={1} size="h2" data-testid="payment-number">
            {p.number}
          </Title>
          <StatusBadge status={p.status} size="lg" />
          {p.overdue ? <OverdueBadge /> : null}
        </Group>
        <Group gap="sm">
          {canSend && collected ? (
            <Button variant="default" onClick={() => setSending('receipt')}>
              Send receipt
            </Button>
          ) : null}
          {canSend && linkable ? (
            <Button variant="default" onClick={() => setSending('link')}>
              Send payment link
            </Button>
          ) : null}
          {collected ? (
            // The session cookie authorises the download; the server renders the PDF.
            <Button component="a" href={`/api/v1/payments/${encodeURIComponent(p.id)}/receipt.pdf`} download variant="default">
              Receipt (PDF)
            </Button>
          ) : null}
          {canRefund ? (
            <Button color="red" variant="light" onClick={refundDialog.open}>
              {refundActionLabel(p)}
            </Button>
          ) : null}
        </Group>
      </Group>
      {/* Side by side from md up; narrower (a tablet), the status and patient come right after the
          money, before notes, documents and history. */}
      {wide ? (
        <Grid gap="md">
          <Grid.Col span={{ md: 7, lg: 8 }}>
            <Stack gap="md">
              {money}
              {records}
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ md: 5, lg: 4 }}>{side}</Grid.Col>
        </Grid>
      ) : (
        <Stack gap="md">
          {money}
          {side}
          {records}
        </Stack>
      )}
      {mayRefund ? <RefundDialog payment={p} opened={refunding} onClose={refundDialog.close} /> : null}
      {sending && patient.data ? (
        <SendMessageDialog opened onClose={() => setSending(null)} target={{ kind: sending, paymentId: p.id }} patient={patient.data} />
      ) : null}
    </Stack>
  );
}
