import { Anchor, Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { Refund } from '../../api/types';
import { SendMessageDialog } from '../messages/send-message-dialog';
import { DateTime } from '../../ui/dates';
import { Money } from '../../ui/money';
import { LoadingState, QueryError } from '../../ui/states';
import { DataTable } from '../../ui/data-table';
import { reasonLabel, refundMethodLabel } from './labels';
import { useRefunds } from './refunds-api';

const statusColor: Record<Refund['status'], string> = { succeeded: 'green', pending: 'yellow', failed: 'red' };
const statusText: Record<Refund['status'], string> = { succeeded: 'Refunded', pending: 'Pending', failed: 'Failed' };

/** The refunds of a payment, failed ones included with the processor's reason; a refund that went through has its receipt, to download or send. */
export function RefundsCard({ paymentId, patient }: { paymentId: string; patient?: { id: string; email: string | null; phone: string | null } }) {
  const refunds = useRefunds(paymentId);
  const [sending, setSending] = useState<string | null>(null);
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="refunds-title">
      <Title order={2} size="h4" id="refunds-title" mb="sm">
        Refunds
      </Title>
      {refunds.isPending ? (
        <LoadingState label="Loading refunds…" />
      ) : refunds.isError ? (
        <QueryError query={refunds} />
      ) : (
        <DataTable
          label="Refunds"
          minWidth={520}
          verticalSpacing={6}
          emptyTitle="No refunds"
          items={refunds.data.items}
          head={
            <>
              <Table.Th>When</Table.Th>
              <Table.Th ta="right">Amount</Table.Th>
              <Table.Th>How</Table.Th>
              <Table.Th>Reason</Table.Th>
              <Table.Th>Status</Table.Th>
            </>
          }
          row={(r) => (
            <Table.Tr key={r.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Stack gap={0}>
                  <DateTime value={r.createdAt} size="sm" />
                  <Text size="xs" c="dimmed">
                    {r.createdBy}
                  </Text>
                </Stack>
              </Table.Td>
              <Table.Td ta="right">
                <Money cents={r.amountCents} />
              </Table.Td>
              <Table.Td>{refundMethodLabel(r.method)}</Table.Td>
              <Table.Td>
                <Stack gap={0}>
                  <Text size="sm">{reasonLabel(r.reason)}</Text>
                  {r.notes ? (
                    <Text size="xs" c="dimmed">
                      {r.notes}
                    </Text>
                  ) : null}
                </Stack>
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  <Badge size="sm" variant="light" color={statusColor[r.status]}>
                    {statusText[r.status]}
                  </Badge>
                </Group>
                {r.status === 'succeeded' ? (
                  <Group gap="xs" wrap="nowrap">
                    <Anchor href={`/api/v1/refunds/${encodeURIComponent(r.id)}/receipt.pdf`} download size="xs">
                      Receipt (PDF)
                    </Anchor>
                    {patient ? (
                      <Button size="compact-xs" variant="subtle" onClick={() => setSending(r.id)}>
                        Send receipt…
                      </Button>
                    ) : null}
                  </Group>
                ) : null}
                {r.failureReason ? (
                  <Text size="xs" c="red.9">
                    {r.failureReason}
                  </Text>
                ) : null}
              </Table.Td>
            </Table.Tr>
          )}
        />
      )}
      {sending && patient ? <SendMessageDialog opened onClose={() => setSending(null)} target={{ kind: 'refund_receipt', refundId: sending }} patient={patient} /> : null}
    </Card>
  );
}
