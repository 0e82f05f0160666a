import { Alert, Button, Card, Group, Modal, Select, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { describeError } from '../../api/describe-error';
import type { PaymentDetail, PaymentMethod, PaymentStatus } from '../../api/types';
import { methodLabels, paymentMethods, statusLabel } from './labels';
import { useChangeStatus } from './payments-api';
import { StatusBadge } from './status-badge';

// Changes that cannot be undone get a confirmation.
const FINAL = new Set(['cancelled', 'voided']);

export function PaymentStatusCard({ payment, canChange }: { payment: PaymentDetail; canChange: boolean }) {
  const change = useChangeStatus(payment.id);
  const [next, setNext] = useState<PaymentStatus | null>(null);
  const [method, setMethod] = useState<PaymentMethod | null>(payment.method);
  const [confirming, setConfirming] = useState(false);
  const options = payment.allowedStatusChanges;

  const apply = () => {
    if (!next) return;
    setConfirming(false);
    const body = next === 'paid' && method ? { status: next, method } : { status: next };
    change.mutate(body, {
      onSuccess: (updated) => {
        setNext(null);
        notifications.show({
          color: 'green',
          title: `${updated.number} is ${statusLabel(updated.status)}`,
          message: 'Status changed.',
        });
      },
    });
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
          {failure ? (
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
            {next === 'paid' ? (
              <Select
                label="Paid by"
                placeholder="Method"
                data={paymentMethods
                  .filter((m) => m !== 'patient_credit')
                  .map((m) => ({ value: m, label: methodLabels[m] }))}
                value={method}
                onChange={(value) => setMethod(value as PaymentMethod | null)}
                style={{ flex: '1 1 8rem' }}
              />
            ) : null}
            <Button
              onClick={() => (next && FINAL.has(next) ? setConfirming(true) : apply())}
              disabled={!next}
              loading={change.isPending}
            >
              Update status
            </Button>
          </Group>
        </Stack>
      )}
      <Modal opened={confirming} onClose={() => setConfirming(false)} title="Change status?" centered>
        <Stack>
          <Text size="sm">
            {payment.number} will become {next ? statusLabel(next) : ''}. This cannot be undone.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Keep it
            </Button>
            <Button color="red" onClick={apply}>
              Yes, mark {next ? statusLabel(next) : ''}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}
