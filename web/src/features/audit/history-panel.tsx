import { Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { apiUrl } from '../../api/client';
import { DateTime } from '../../ui/dates';
import { ExportLink } from '../../ui/export-link';
import { formatCents } from '../../ui/money';
import { EmptyState, LoadingState, QueryError } from '../../ui/states';
import { useAuditEvents, type AuditEvent } from './audit-api';
import { Pager } from '../../ui/pager';

/** "payment.status_changed" → "Status changed". */
function actionLabel(action: string): string {
  const verb = action.includes('.') ? action.slice(action.indexOf('.') + 1) : action;
  const words = verb.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "amountCents" → "amount", "dueDate" → "due date". */
function fieldLabel(key: string): string {
  return key
    .replace(/Cents$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

function show(key: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (key.endsWith('Cents') && typeof value === 'number') return formatCents(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** The fields an event changed, "from → to"; for a creation, the values it was made with. */
export function changesOf(event: AuditEvent): Array<{ field: string; from: string | null; to: string }> {
  const before = asRecord(event.before);
  const after = asRecord(event.after);
  if (!after) return [];
  const keys = Object.keys(after).filter((k) => !['id', 'practiceId', 'createdAt', 'updatedAt'].includes(k));
  return keys
    .filter((k) => !before || JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => ({ field: fieldLabel(k), from: before ? show(k, before[k]) : null, to: show(k, after[k]) }));
}

/**
 * The audit trail of one record: who changed it, when, from what to what.
 * Read-only, as the trail itself is.
 */
export function HistoryPanel({ entityType, entityId }: { entityType: string; entityId: string }) {
  const [page, setPage] = useState(1);
  const pageSize = 10;
  const events = useAuditEvents(entityType, entityId, page, pageSize);

  return (
    <Card withBorder padding="md" component="section" aria-labelledby={`history-${entityId}`}>
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id={`history-${entityId}`}>
          History
        </Title>
        <ExportLink href={apiUrl('/audit-events/export.csv', { entityType, entityId })} label="history" />
      </Group>
      {events.isPending ? (
        <LoadingState label="Loading history…" />
      ) : events.isError ? (
        <QueryError query={events} />
      ) : events.data.items.length === 0 ? (
        <EmptyState title="No changes recorded yet" />
      ) : (
        <Stack gap="xs">
          <Table.ScrollContainer minWidth={420}>
            <Table verticalSpacing="xs" aria-label="History">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>Who</Table.Th>
                  <Table.Th>What</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {events.data.items.map((event) => (
                  <Table.Tr key={event.id}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <DateTime value={event.createdAt} size="sm" />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{event.actor.name}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {actionLabel(event.action)}
                      </Text>
                      {changesOf(event).map((change) => (
                        <Text size="xs" c="dimmed" key={change.field}>
                          {change.field}: {change.from === null ? change.to : `${change.from} → ${change.to}`}
                        </Text>
                      ))}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager page={page} pageSize={pageSize} total={events.data.total} onChange={setPage} />
        </Stack>
      )}
    </Card>
  );
}
