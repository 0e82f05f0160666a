import { Alert, Badge, Card, Group, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { describeError } from '../../api/describe-error';
import { DateTime } from '../../ui/dates';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import { usePatientMessages, useSetOptOut, type Message } from './messages-api';

const templateLabels: Record<Message['template'], string> = { receipt: 'Receipt', statement: 'Statement', payment_link: 'Payment link' };
const statusColors: Record<Message['status'], string> = { queued: 'blue', sent: 'green', failed: 'red', suppressed: 'gray' };
const statusLabels: Record<Message['status'], string> = { queued: 'Queued', sent: 'Sent', failed: 'Failed', suppressed: 'Suppressed' };

function StatusCell({ message }: { message: Message }) {
  const held = message.status === 'queued' && Date.parse(message.notBefore) > Date.now() + 60_000;
  return (
    <Stack gap={2}>
      <Badge color={statusColors[message.status]} variant="light" size="sm">
        {statusLabels[message.status]}
      </Badge>
      {held ? (
        <Text size="xs" c="dimmed">
          Quiet hours: at <DateTime value={message.notBefore} />
        </Text>
      ) : null}
      {message.error && message.status !== 'sent' ? (
        <Text size="xs" c="dimmed">
          {message.error}
        </Text>
      ) : null}
    </Stack>
  );
}

/** The patient's email and SMS log, and the staff's opt-out switches. */
export function MessagesPanel({ patient, canChange }: { patient: { id: string; smsOptOut: boolean; emailOptOut: boolean }; canChange: boolean }) {
  const messages = usePatientMessages(patient.id);
  const optOut = useSetOptOut(patient.id);
  const failure = optOut.error ? describeError(optOut.error) : null;

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="messages-title" data-testid="messages-panel">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Title order={2} size="h4" id="messages-title">
          Messages
        </Title>
        <Group gap="md">
          <Switch
            label="No texts"
            checked={patient.smsOptOut}
            disabled={!canChange || optOut.isPending}
            onChange={(event) => optOut.mutate({ smsOptOut: event.currentTarget.checked })}
          />
          <Switch
            label="No email"
            checked={patient.emailOptOut}
            disabled={!canChange || optOut.isPending}
            onChange={(event) => optOut.mutate({ emailOptOut: event.currentTarget.checked })}
          />
        </Group>
      </Group>
      {failure ? (
        <Alert color="red" title={failure.title} role="alert" mb="sm">
          {failure.message}
        </Alert>
      ) : null}
      {messages.isPending ? (
        <LoadingState label="Loading messages…" />
      ) : messages.isError ? (
        <ErrorState {...describeError(messages.error)} onRetry={() => void messages.refetch()} />
      ) : messages.data.items.length === 0 ? (
        <EmptyState title="No messages yet">Receipts, statements and payment links sent by email or text show here.</EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="xs" aria-labelledby="messages-title">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Queued</Table.Th>
                <Table.Th>What</Table.Th>
                <Table.Th>To</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Sent</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {messages.data.items.map((m) => (
                <Table.Tr key={m.id} data-testid="message-row">
                  <Table.Td>
                    <DateTime value={m.createdAt} size="sm" />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {m.refundId ? 'Refund receipt' : templateLabels[m.template]} · {m.channel === 'email' ? 'Email' : 'SMS'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" style={{ wordBreak: 'break-all' }}>
                      {m.to}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <StatusCell message={m} />
                  </Table.Td>
                  <Table.Td>
                    <DateTime value={m.sentAt} size="sm" />
                    {m.provider ? (
                      <Text size="xs" c="dimmed">
                        via {m.provider}
                      </Text>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
