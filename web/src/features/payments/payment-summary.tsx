import { Card, Group, Stack, Text, Title } from '@mantine/core';
import type { PaymentDetail } from '../../api/types';
import { CalendarDate, DateTime } from '../../ui/dates';
import { DetailList } from '../../ui/detail-list';
import { Money } from '../../ui/money';
import { methodLabel, typeLabel } from './labels';

export function PaymentSummary({ payment }: { payment: PaymentDetail }) {
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="summary-title">
      <Title order={2} size="h4" id="summary-title" mb="sm">
        Summary
      </Title>
      <Group gap="xl" mb="md" wrap="wrap">
        <Stack gap={0}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
            Amount
          </Text>
          <Text size="xl" fw={700} data-testid="payment-amount">
            <Money cents={payment.amountCents} />
          </Text>
        </Stack>
        <Stack gap={0}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
            Refunded
          </Text>
          <Text size="xl" fw={700}>
            <Money cents={payment.refundedCents} />
          </Text>
        </Stack>
      </Group>
      <DetailList
        items={[
          { label: 'Patient', value: payment.patientName },
          { label: 'Type', value: typeLabel(payment.type) },
          {
            label: 'Method',
            value: `${methodLabel(payment.method)}${payment.checkNumber ? ` #${payment.checkNumber}` : ''}`,
          },
          { label: 'Location', value: payment.locationName ?? '—' },
          { label: 'Paid date', value: <CalendarDate value={payment.paidDate} /> },
          {
            label: 'Due date',
            value: (
              <>
                <CalendarDate value={payment.dueDate} c={payment.overdue ? 'red.9' : undefined} />
                {payment.overdue ? ' (overdue)' : ''}
              </>
            ),
          },
          { label: 'Created', value: <DateTime value={payment.createdAt} /> },
          { label: 'Created by', value: payment.createdBy ?? '—' },
          { label: 'Memo', value: payment.memo || '—' },
        ]}
      />
    </Card>
  );
}
