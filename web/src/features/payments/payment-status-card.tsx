import { Alert, Button, Card, Group, Modal, Select, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { ChangeStatusBody } from '../../../../src/contracts/payments.ts';
import { describeError } from '../../api/describe-error';
import type { PaymentDetail, PaymentStatus } from '../../api/types';
import { formatCents } from '../../ui/money';
import { treatmentLabel } from '../treatments/labels';
import { statusLabel } from './labels';
import { MarkPaidDialog } from './mark-paid-dialog';
import { useChangeStatus } from './payments-api';
import { StatusBadge } from './status-badge';

// Changes that cannot be undone get a confirmation.
const FINAL = new Set(['cancelled', 'voided']);

/** "PAY-012 ($50.00, visit of Mar 2, 2026 · Dr. Test)": what a confirmation names. */
function describePayment(payment: PaymentDetail): string {
  const visit = payment.treatment ? `, visit of ${treatmentLabel(payment.treatment)}` : '';
  return `${payment.number} (${formatCents(payment.amountCents)}${visit})`;
}

export function PaymentStatusCard({ payment, canChange }: { payment: PaymentDetail; canChange: boolean }) {
  const change = useChangeStatus(payment.id);
  const [next, setNext] = useState<PaymentStatus | null>(null);
  const [dialog, setDialog] = useState<'paid' | 'final' | null>(null);
  const options = payment.allowedStatusChanges;

  const apply = (body: ChangeStatusBody) => {
    change.mutate(body, {
      onSuccess: (updated) => {
        setNext(null);
        setDialog(null);
        notifications.show({
          color: 'green',
          title: `${updated.number} is ${statusLabel(updated.status)}`,
          message: 'Status changed.',
        });
      },
    });
  };

  const start = () => {
    if (!next) return;
    change.reset();
    if (next === 'paid') setDialog('paid');
    else if (FINAL.has(next)) setDialog('final');
    else apply({ status: next });
  };

  const failure = change.error ? describeError(change.error) : null;

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="status-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="status-title">
          Status
        </Title>
        <StatusBadge status={payment.status} size="lg" />
      </Group>
      {options.length === 0 ? (
        <Text size="sm" c="dimmed">
          {payment.status === 'paid' || payment.status === 'partially_refunded'
            ? 'This status changes only through a refund.'
            : 'This status is final.'}
        </Text>
      ) : !canChange ? (
        <Text size="sm" c="dimmed">
          Your role cannot change the status.
        </Text>
      ) : (
        <Stack gap="sm">
          {failure && dialog === null ? (
            <Alert color="red" title={failure.title} role="alert">
              {failure.message}
            </Alert>
          ) : null}
          <Group align="flex-end" gap="sm" wrap="wrap">
            <Select
              label="Change status to"
              placeholder="Choose a status"
              data={options.map((status) => ({ value: status, label: statusLabel(status) }))}
              value={next}
              onChange={(value) => setNext(value as PaymentStatus | null)}
              allowDeselect={false}
              style={{ flex: '1 1 10rem' }}
            />
            <Button onClick={start} disabled={!next} loading={change.isPending && dialog === null}>
              {next === 'paid' ? 'Mark Paid…' : 'Update status'}
            </Button>
          </Group>
        </Stack>
      )}
      <MarkPaidDialog
        payment={payment}
        opened={dialog === 'paid'}
        onClose={() => setDialog(null)}
        onConfirm={apply}
        pending={change.isPending}
        failure={failure}
      />
      <Modal opened={dialog === 'final'} onClose={() => setDialog(null)} title={`Mark ${next ? statusLabel(next) : ''}?`} centered>
        <Stack>
          <Text size="sm">
            {describePayment(payment)} will become {next ? statusLabel(next) : ''}. This cannot be undone.
          </Text>
          {failure ? (
            <Alert color="red" title={failure.title} role="alert">
              {failure.message}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDialog(null)}>
              Keep it
            </Button>
            <Button color="red" loading={change.isPending} onClick={() => next && apply({ status: next })}>
              Yes, mark {next ? statusLabel(next) : ''}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}
