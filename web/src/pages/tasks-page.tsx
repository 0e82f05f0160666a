import { Group, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { apiUrl } from '../api/client';
import { ExportLink } from '../ui/export-link';
import type { Task, TaskStatus } from '../api/types';
import { can } from '../features/auth/permissions';
import { useCurrentSession } from '../features/auth/use-current-session';
import { DismissTaskDialog } from '../features/tasks/dismiss-task-dialog';
import { taskStatusLabels } from '../features/tasks/labels';
import { RecordRefundDialog } from '../features/tasks/record-refund-dialog';
import { useTasks } from '../features/tasks/tasks-api';
import { TasksTable } from '../features/tasks/tasks-table';
import { pageParam } from '../ui/paging';
import { LoadingState, QueryError } from '../ui/states';

const PAGE_SIZE = 25;
const statuses: TaskStatus[] = ['open', 'completed', 'dismissed'];

export function TasksPage() {
  const { user } = useCurrentSession();
  const [searchParams, setSearchParams] = useSearchParams();
  const status = (statuses as string[]).includes(searchParams.get('status') ?? '') ? (searchParams.get('status') as TaskStatus) : 'open';
  const page = pageParam(searchParams);
  const tasks = useTasks({ status, page, pageSize: PAGE_SIZE });
  const [recording, setRecording] = useState<Task | null>(null);
  const [dismissing, setDismissing] = useState<Task | null>(null);

  const go = (next: { status?: TaskStatus; page?: number }) => {
    const params = new URLSearchParams();
    const s = next.status ?? status;
    if (s !== 'open') params.set('status', s);
    const p = next.page ?? 1;
    if (p > 1) params.set('page', String(p));
    setSearchParams(params, { replace: true });
  };

  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Title order={2}>Tasks</Title>
        <Text size="sm" c="dimmed">
          Refund-owed: money left unapplied after insurance finished with a case. Record the refund, or dismiss to keep it
          as patient credit.
        </Text>
      </Stack>
      <Group justify="space-between">
        <SegmentedControl
          aria-label="Task status"
          value={status}
          onChange={(value) => go({ status: value as TaskStatus })}
          data={statuses.map((s) => ({ value: s, label: taskStatusLabels[s] }))}
        />
        <ExportLink href={apiUrl('/tasks/export.csv', { status })} label="tasks" />
      </Group>
      {tasks.isPending ? (
        <LoadingState label="Loading tasks…" />
      ) : tasks.isError ? (
        <QueryError query={tasks} />
      ) : (
        <TasksTable
          items={tasks.data.items}
          total={tasks.data.total}
          page={page}
          pageSize={PAGE_SIZE}
          onPage={(p) => go({ page: p })}
          canAct={can(user.role, 'tasks:write')}
          onRecord={setRecording}
          onDismiss={setDismissing}
          fetching={tasks.isPlaceholderData}
          emptyTitle={status === 'open' ? 'No open refund-owed tasks' : `No ${taskStatusLabels[status].toLowerCase()} tasks`}
        />
      )}
      <RecordRefundDialog task={recording} onClose={() => setRecording(null)} />
      <DismissTaskDialog task={dismissing} onClose={() => setDismissing(null)} />
    </Stack>
  );
}
