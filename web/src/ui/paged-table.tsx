import { Table } from '@mantine/core';
import type { ReactNode } from 'react';
import { Pager } from './pager';
import { EmptyState, LoadingState, QueryError } from './states';

interface PagedQuery<T> {
  isPending: boolean;
  isError: boolean;
  isPlaceholderData: boolean;
  error: unknown;
  data: { items: T[]; total: number } | undefined;
  refetch: () => unknown;
}

interface PagedTableProps<T> {
  query: PagedQuery<T>;
  /** The table's accessible name. */
  label: string;
  loadingLabel: string;
  emptyTitle: string;
  minWidth: number;
  /** The header cells (`Table.Th`s). */
  head: ReactNode;
  /** One `Table.Tr` per item. */
  row: (item: T) => ReactNode;
  page: number;
  pageSize: number;
  onPage: (page: number) => void;
}

/** A work list: loading, failure (with retry) and empty states, then the table (busy while the next page loads) and the pager. */
export function PagedTable<T>({ query, label, loadingLabel, emptyTitle, minWidth, head, row, page, pageSize, onPage }: PagedTableProps<T>) {
  if (query.isPending) return <LoadingState label={loadingLabel} />;
  if (query.isError || !query.data) return <QueryError query={query} />;
  if (query.data.total === 0) return <EmptyState title={emptyTitle} />;
  return (
    <>
      <Table.ScrollContainer minWidth={minWidth}>
        <Table verticalSpacing="xs" aria-label={label} aria-busy={query.isPlaceholderData}>
          <Table.Thead>
            <Table.Tr>{head}</Table.Tr>
          </Table.Thead>
          <Table.Tbody>{query.data.items.map(row)}</Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager page={page} pageSize={pageSize} total={query.data.total} onChange={onPage} />
    </>
  );
}
