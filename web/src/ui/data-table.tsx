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
      <DataTable label={label} minWidth={minWidth} head={head} items={query.data.items} row={row} emptyTitle={emptyTitle} busy={query.isPlaceholderData} />
      <Pager page={page} pageSize={pageSize} total={query.data.total} onChange={onPage} />
    </>
  );
}

interface DataTableProps<T> {
  label: string;
  minWidth: number;
  head: ReactNode;
  items: readonly T[];
  /** One `Table.Tr` per item; the index keys rows that have no id of their own. */
  row: (item: T, index: number) => ReactNode;
  emptyTitle: string;
  /** Row spacing: `xs` for work lists, tighter (6) for a record's money tables. */
  verticalSpacing?: 'xs' | number;
  busy?: boolean;
}

/** A table of records (money right-aligned by its cells): scrolls sideways on narrow screens, says so when there is nothing. */
export function DataTable<T>({ label, minWidth, head, items, row, emptyTitle, verticalSpacing = 'xs', busy }: DataTableProps<T>) {
  if (items.length === 0) return <EmptyState title={emptyTitle} />;
  return (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table verticalSpacing={verticalSpacing} aria-label={label} aria-busy={busy}>
        <Table.Thead>
          <Table.Tr>{head}</Table.Tr>
        </Table.Thead>
        <Table.Tbody>{items.map((item, index) => row(item, index))}</Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
