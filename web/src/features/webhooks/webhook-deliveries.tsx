import { Badge, Button, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { DateTime } from '../../ui/dates';
import { EmptyState, LoadingState, QueryError } from '../../ui/states';
import { useReplayWebhookDelivery, useWebhookDeliveries, type WebhookDelivery } from './webhooks-api';
import { Pager } from '../../ui/pager';
import { notifyFailure } from '../../ui/mutation-error';

const PAGE_SIZE = 20;
const statusColor: Record<WebhookDelivery['status'], string> = { pending: 'yellow', delivered: 'green', failed: 'red' };

/** The delivery log of one endpoint: each event with every attempt (time, response code, error) and a Replay button. */
export function WebhookDeliveries({ endpointId, canReplay }: { endpointId: string; canReplay: boolean }) {
  const [page, setPage] = useState(1);
  const deliveries = useWebhookDeliveries(endpointId, page, PAGE_SIZE);
  const replay = useReplayWebhookDelivery();

  if (deliveries.isPending) return <LoadingState label="Loading deliveries…" />;
  if (deliveries.isError) return <QueryError query={deliveries} />;
  if (deliveries.data.items.length === 0) return <EmptyState title="No deliveries yet">Events this endpoint listens to will show here.</EmptyState>;

  return (
    <Stack gap="sm">
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing="xs" aria-label="Deliveries">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Event</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {deliveries.data.items.map((d) => (
              <Table.Tr key={d.id} data-testid="webhook-delivery">
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {d.eventType}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {d.eventId}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={statusColor[d.status]} variant="light">
                    {d.status}
                  </Badge>
                  {d.status === 'pending' && d.nextAttemptAt ? (
                    <Text size="xs" c="dimmed">
                      next <DateTime value={d.nextAttemptAt} />
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <Stack gap={2}>
                    {d.attempts.map((a) => (
                      <Text key={a.id} size="xs">
                        <DateTime value={a.attemptedAt} /> · {a.responseCode ?? a.error ?? 'no answer'} · {a.durationMs} ms{a.manual ? ' · replay' : ''}
                      </Text>
                    ))}
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <DateTime value={d.createdAt} />
                </Table.Td>
                <Table.Td>
                  {canReplay ? (
                    <Button
                      size="xs"
                      variant="default"
                      loading={replay.isPending && replay.variables === d.id}
                      onClick={() =>
                        replay.mutate(d.id, {
                          onSuccess: (after) => {
                            const last = after.attempts[after.attempts.length - 1];
                            notifications.show({
                              color: last?.succeeded ? 'green' : 'red',
                              title: last?.succeeded ? 'Delivered again' : 'Replay failed',
                              message: last ? `Answer: ${last.responseCode ?? last.error}` : '',
                            });
                          },
                          onError: notifyFailure,
                        })
                      }
                    >
                      Replay
                    </Button>
                  ) : null}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager page={page} pageSize={PAGE_SIZE} total={deliveries.data.total} onChange={setPage} />
    </Stack>
  );
}
