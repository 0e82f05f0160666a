import { Group, Stack, Text, Title } from '@mantine/core';
import { apiUrl } from '../api/client';
import { ExportLink } from '../ui/export-link';
import { useSearchParams } from 'react-router';
import { useOverApplied } from '../features/applications/applications-api';
import { OverAppliedTable } from '../features/applications/over-applied-table';
import { can } from '../features/auth/permissions';
import { useCurrentSession } from '../features/auth/use-current-session';
import { LoadingState, QueryError } from '../ui/states';
import { pageParam } from '../ui/paging';

const PAGE_SIZE = 25;

export function OverAppliedPage() {
  const { user } = useCurrentSession();
  const [searchParams, setSearchParams] = useSearchParams();
  const page = pageParam(searchParams);
  const list = useOverApplied(page, PAGE_SIZE);

  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Group justify="space-between">
          <Title order={2}>Over-applied payments</Title>
          <ExportLink href={apiUrl('/reports/over-applied/export.csv')} label="over-applied payments" />
        </Group>
        <Text size="sm" c="dimmed">
          Payments refunded after they were applied: their applications exceed what is left of them. Unapply to clear.
        </Text>
      </Stack>
      {list.isPending ? (
        <LoadingState label="Loading over-applied payments…" />
      ) : list.isError ? (
        <QueryError query={list} />
      ) : (
        <OverAppliedTable
          items={list.data.items}
          total={list.data.total}
          page={page}
          pageSize={PAGE_SIZE}
          onPage={(next) => setSearchParams(next > 1 ? { page: String(next) } : {}, { replace: true })}
          canUnapply={can(user.role, 'applications:write')}
          fetching={list.isPlaceholderData}
        />
      )}
    </Stack>
  );
}
