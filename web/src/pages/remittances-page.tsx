import { Card, Group, Stack, Title } from '@mantine/core';
import { apiUrl } from '../api/client';
import { ExportLink } from '../ui/export-link';
import { useSearchParams } from 'react-router';
import { can } from '../features/auth/permissions';
import { useCurrentSession } from '../features/auth/use-current-session';
import { RemittanceUpload } from '../features/remittances/remittance-upload';
import { useRemittances } from '../features/remittances/remittances-api';
import { RemittancesTable } from '../features/remittances/remittances-table';
import { pageParam } from '../ui/paging';
import { LoadingState, QueryError } from '../ui/states';

const PAGE_SIZE = 20;

export function RemittancesPage() {
  const { user } = useCurrentSession();
  const [searchParams, setSearchParams] = useSearchParams();
  const page = pageParam(searchParams);
  const list = useRemittances(page, PAGE_SIZE);

  return (
    <Stack gap="lg">
      <Title order={2}>Remittance</Title>
      {can(user.role, 'remittance:write') ? <RemittanceUpload /> : null}
      <Card withBorder padding="md" component="section" aria-labelledby="imports-title">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4" id="imports-title">
            Past imports
          </Title>
          <ExportLink href={apiUrl('/remittances/export.csv')} label="past imports" />
        </Group>
        {list.isPending ? (
          <LoadingState label="Loading imports…" />
        ) : list.isError ? (
          <QueryError query={list} />
        ) : (
          <RemittancesTable
            items={list.data.items}
            total={list.data.total}
            page={page}
            pageSize={PAGE_SIZE}
            onPage={(next) => setSearchParams(next > 1 ? { page: String(next) } : {}, { replace: true })}
            fetching={list.isPlaceholderData}
          />
        )}
      </Card>
    </Stack>
  );
}
