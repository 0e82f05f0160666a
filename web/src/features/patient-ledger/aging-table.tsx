import { Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Money } from '../../ui/money';
import { EmptyState } from '../../ui/states';
import { agingColumns } from './aging-figures';
import type { AgingBuckets } from './ledger-api';

interface Props<T extends AgingBuckets> {
  label: string;
  nameHeader: string;
  rows: T[];
  totals: AgingBuckets;
  rowKey: (row: T) => string;
  name: (row: T) => ReactNode;
  testId: string;
  empty: string;
}

/** One receivable's aging: a row per patient or payer, a bucket per column, and the totals. */
export function AgingTable<T extends AgingBuckets>({ label, nameHeader, rows, totals, rowKey, name, testId, empty }: Props<T>) {
  if (rows.length === 0) return <EmptyState title={empty} />;
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table verticalSpacing={6} aria-label={label} striped data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{nameHeader}</Table.Th>
            {agingColumns.map((c) => (
              <Table.Th key={c.key} ta="right">
                {c.label}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={rowKey(row)}>
              <Table.Td>{name(row)}</Table.Td>
              {agingColumns.map((c) => (
                <Table.Td key={c.key} ta="right" fw={c.key === 'totalCents' ? 600 : undefined}>
                  <Money cents={row[c.key]} signColor />
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
        <Table.Tfoot>
          <Table.Tr>
            <Table.Th>
              <Text fw={700} size="sm">
                Total
              </Text>
            </Table.Th>
            {agingColumns.map((c) => (
              <Table.Th key={c.key} ta="right" data-testid={`${testId}-total-${c.key}`}>
                <Money cents={totals[c.key]} signColor />
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Tfoot>
      </Table>
    </Table.ScrollContainer>
  );
}
