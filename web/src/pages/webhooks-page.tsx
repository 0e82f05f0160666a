import { Badge, Button, Card, Group, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { describeError } from '../api/describe-error';
import { can } from '../features/auth/permissions';
import { useCurrentSession } from '../features/auth/use-current-session';
import { WebhookDeliveries } from '../features/webhooks/webhook-deliveries';
import { WebhookEndpointDialog, WebhookSecretDialog } from '../features/webhooks/webhook-endpoint-dialog';
import { useDeleteWebhookEndpoint, useRollWebhookSecret, useWebhookEndpoints, type WebhookEndpoint } from '../features/webhooks/webhooks-api';
import { EmptyState, ErrorState, LoadingState, QueryError } from '../ui/states';
import { notifyFailure } from '../ui/mutation-error';

/** Admins: the practice's webhook endpoints, their secrets (shown once), and each endpoint's delivery log. */
export function WebhooksPage() {
  const { user } = useCurrentSession();
  const allowed = can(user.role, 'webhooks:manage');
  const endpoints = useWebhookEndpoints();
  const remove = useDeleteWebhookEndpoint();
  const roll = useRollWebhookSecret();
  const [editing, setEditing] = useState<WebhookEndpoint | 'new' | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<WebhookEndpoint | null>(null);
  const [logOf, setLogOf] = useState<string | null>(null);

  if (!allowed) return <EmptyState title="Webhooks are for admins">Ask an admin of the practice to manage webhook endpoints.</EmptyState>;

  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Stack gap={4}>
          <Title order={2}>Webhooks</Title>
          <Text size="sm" c="dimmed">
            Signed HTTP calls to your systems when payments, refunds, credits, applications, remittances, tasks and disputes change. Failed
            deliveries are retried for 3 days.
          </Text>
        </Stack>
        <Button onClick={() => setEditing('new')}>Add endpoint</Button>
      </Group>
      {endpoints.isPending ? (
        <LoadingState label="Loading endpoints…" />
      ) : endpoints.isError ? (
        <QueryError query={endpoints} />
      ) : endpoints.data.items.length === 0 ? (
        <EmptyState title="No webhook endpoints">Add one to start receiving events.</EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="xs" aria-label="Webhook endpoints">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>URL</Table.Th>
                <Table.Th>Events</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {endpoints.data.items.map((e) => (
                <Table.Tr key={e.id} data-testid="webhook-endpoint">
                  <Table.Td>
                    <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
                      {e.url}
                    </Text>
                    {e.description ? (
                      <Text size="xs" c="dimmed">
                        {e.description}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {e.events.map((ev) => (
                        <Badge key={ev} variant="outline" tt="none">
                          {ev}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={e.enabled ? 'green' : 'gray'} variant="light">
                      {e.enabled ? 'Enabled' : 'Disabled'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Button size="xs" variant="default" onClick={() => setLogOf(logOf === e.id ? null : e.id)}>
                        {logOf === e.id ? 'Hide deliveries' : 'Deliveries'}
                      </Button>
                      <Button size="xs" variant="default" onClick={() => setEditing(e)}>
                        Edit
                      </Button>
                      <Button
                        size="xs"
                        variant="default"
                        loading={roll.isPending && roll.variables === e.id}
                        onClick={() =>
                          roll.mutate(e.id, {
                            onSuccess: (rolled) => setSecret(rolled.secret),
                            onError: notifyFailure,
                          })
                        }
                      >
                        Roll secret
                      </Button>
                      <Button size="xs" variant="subtle" color="red" onClick={() => setDeleting(e)}>
                        Delete
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {logOf ? (
        <Card withBorder component="section" aria-labelledby="deliveries-title">
          <Title order={3} size="h4" id="deliveries-title" mb="sm">
            Deliveries
          </Title>
          <WebhookDeliveries endpointId={logOf} canReplay={allowed} />
        </Card>
      ) : null}
      <WebhookEndpointDialog
        endpoint={editing}
        onClose={() => setEditing(null)}
        onCreated={(created) => {
          setEditing(null);
          setSecret(created.secret);
        }}
      />
      <WebhookSecretDialog secret={secret} onClose={() => setSecret(null)} />
      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title="Delete this endpoint?">
        <Stack>
          <Text size="sm">{deleting?.url} will receive nothing more, including retries still pending.</Text>
          {remove.isError ? <ErrorState {...describeError(remove.error)} /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(null)}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() =>
                deleting &&
                remove.mutate(deleting.id, {
                  onSuccess: () => {
                    if (logOf === deleting.id) setLogOf(null);
                    setDeleting(null);
                  },
                })
              }
            >
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
