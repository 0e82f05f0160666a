import { Anchor, Button, Group, Table, Text, VisuallyHidden } from '@mantine/core';
import { Link } from 'react-router';
import type { Task } from '../../api/types';
import { CalendarDate, DateTime } from '../../ui/dates';
import { formatCents, Money } from '../../ui/money';
import { EmptyState } from '../../ui/states';
import { taskRefundMethodLabels } from './labels';
import { Pager } from '../../ui/pager';

interface Props {
  items: Task[];
  total: number;
  page: number;
  pageSize: number;
  onPage: (page: number) => void;
  canAct: boolean;
  onRecord: (task: Task) => void;
  onDismiss: (task: Task) => void;
  fetching?: boolean;
  emptyTitle: string;
}

function resolution(task: Task): string {
  const r = task.resolution;
  if (!r) return '—';
  if (r.kind === 'credit') return `${formatCents(r.amountCents)} kept as credit`;
  const how = taskRefundMethodLabels[r.method] ?? r.method;
  return `${formatCents(r.amountCents)} by ${how.toLowerCase()}${r.reference ? ` · ${r.reference}` : ''}`;
}

export function TasksTable({ items, total, page, pageSize, onPage, canAct, onRecord, onDismiss, fetching = false, emptyTitle }: Props) {
  if (total === 0) return <EmptyState title={emptyTitle} />;
  return (
    <>
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing="xs" aria-label="Refund-owed tasks" aria-busy={fetching} style={{ opacity: fetching ? 0.6 : 1 }}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Patient</Table.Th>
              <Table.Th ta="right">Owed</Table.Th>
              <Table.Th>Due</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((task) => (
              <Table.Tr key={task.id} data-testid="task-row">
                <Table.Td>
                  <Anchor component={Link} to={`/patients/${task.patientId}`} fw={500} size="sm">
                    {task.patientName}
                  </Anchor>
                </Table.Td>
                <Table.Td ta="right">
                  <Money cents={task.amountCents} fw={600} />
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <CalendarDate value={task.dueDate} />
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <DateTime value={task.createdAt} withTime={false} />
                </Table.Td>
                <Table.Td>
                  {task.status === 'open' ? (
                    canAct ? (
                      <Group gap={6} justify="flex-end" wrap="nowrap">
                        <Button size="compact-sm" onClick={() => onRecord(task)} aria-label={`Record refund for ${task.patientName}`}>
                          Record refund
                        </Button>
                        <Button size="compact-sm" variant="light" color="orange" onClick={() => onDismiss(task)} aria-label={`Dismiss task for ${task.patientName}`}>
                          Dismiss
                        </Button>
                      </Group>
                    ) : null
                  ) : (
                    <Text size="sm" ta="right">
                      {resolution(task)}
                      {task.resolvedBy ? (
                        <Text span size="xs" c="dimmed">
                          {' '}
                          · {task.resolvedBy}
                        </Text>
                      ) : null}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager page={page} pageSize={pageSize} total={total} onChange={onPage} mt="md" />
    </>
  );
}
