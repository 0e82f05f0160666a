import { Anchor, Badge, Group, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { RemittanceSummary } from '../../api/types';
import { DateTime } from '../../ui/dates';
import { EmptyState } from '../../ui/states';
import { Pager } from '../../ui/pager';

interface Props {
  items: RemittanceSummary[];
  total: number;
  page: number;
  pageSize: number;
  onPage: (page: number) => void;
  fetching?: boolean;
}

export function RemittancesTable({ items, total, page, pageSize, onPage, fetching = false }: Props) {
  if (total === 0) return <EmptyState title="No remittances imported yet" />;
  return (
    <>
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing="xs" aria-label="Past imports" aria-busy={fetching} style={{ opacity: fetching ? 0.6 : 1 }}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Imported</Table.Th>
              <Table.Th>File</Table.Th>
              <Table.Th ta="right">Claims</Table.Th>
              <Table.Th ta="right">Posted</Table.Th>
              <Table.Th>Exceptions</Table.Th>
              <Table.Th>By</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Anchor component={Link} to={`/remittances/${r.id}`} size="sm" fw={500}>
                    <DateTime value={r.createdAt} />
                  </Anchor>
                </Table.Td>
                <Table.Td style={{ wordBreak: 'break-all' }}>{r.fileName ?? '—'}</Table.Td>
                <Table.Td ta="right">{r.claimCount}</Table.Td>
                <Table.Td ta="right">{r.postedCount}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {r.exceptionCount > 0 ? (
                      <Badge size="sm" color="red" variant="light">
                        {r.exceptionCount} exception{r.exceptionCount === 1 ? '' : 's'}
                      </Badge>
                    ) : null}
                    {r.warningCount > 0 ? (
                      <Badge size="sm" color="yellow" variant="light">
                        {r.warningCount} warning{r.warningCount === 1 ? '' : 's'}
                      </Badge>
                    ) : null}
                    {r.exceptionCount === 0 && r.warningCount === 0 ? (
                      <Text size="sm" c="dimmed">
                        None
                      </Text>
                    ) : null}
                  </Group>
                </Table.Td>
                <Table.Td>{r.createdBy}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager page={page} pageSize={pageSize} total={total} onChange={onPage} mt="md" />
    </>
  );
}
