import { Anchor, Group, Table, Text } from '@mantine/core';
import { Link, useNavigate } from 'react-router';
import type { Payment, PaymentSort } from '../../api/types';
import { CalendarDate, DateTime } from '../../ui/dates';
import { Money } from '../../ui/money';
import { SortableHeader } from '../../ui/sortable-header';
import { EmptyState } from '../../ui/states';
import { typeLabel } from './labels';
import { firstSortOrder, type PaymentListParams } from './list-params';
import { OverdueBadge, StatusBadge } from './status-badge';
import { Pager } from '../../ui/pager';

export interface PaymentsTableProps {
  items: Payment[];
  total: number;
  params: PaymentListParams;
  onChange: (changes: Partial<PaymentListParams>) => void;
  fetching?: boolean;
}

export function PaymentsTable({ items, total, params, onChange, fetching = false }: PaymentsTableProps) {
  const navigate = useNavigate();

  const sortBy = (sort: PaymentSort) => {
    const order = params.sort === sort ? (params.order === 'asc' ? 'desc' : 'asc') : firstSortOrder[sort];
    onChange({ sort, order, page: 1 });
  };
  const direction = (sort: PaymentSort) => (params.sort === sort ? params.order : null);


  return (
    <>
      <Table.ScrollContainer minWidth={720}>
        <Table highlightOnHover verticalSpacing="xs" aria-busy={fetching} aria-label="Payments">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Number</Table.Th>
              <SortableHeader direction={direction('patientName')} onSort={() => sortBy('patientName')}>
                Patient
              </SortableHeader>
              <SortableHeader direction={direction('amount')} onSort={() => sortBy('amount')} align="right">
                Amount
              </SortableHeader>
              <SortableHeader direction={direction('status')} onSort={() => sortBy('status')}>
                Status
              </SortableHeader>
              <SortableHeader direction={direction('dueDate')} onSort={() => sortBy('dueDate')}>
                Due
              </SortableHeader>
              <SortableHeader direction={direction('createdAt')} onSort={() => sortBy('createdAt')}>
                Created
              </SortableHeader>
              <Table.Th visibleFrom="lg">Type</Table.Th>
              <Table.Th visibleFrom="lg">Location</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody style={{ opacity: fetching ? 0.6 : 1 }}>
            {items.map((payment) => (
              <Table.Tr
                key={payment.id}
                style={{ cursor: 'pointer' }}
                onClick={(event) => {
                  if ((event.target as HTMLElement).closest('a, button')) return;
                  void navigate(`/payments/${payment.id}`);
                }}
              >
                <Table.Td>
                  <Anchor component={Link} to={`/payments/${payment.id}`} fw={500} style={{ whiteSpace: 'nowrap' }}>
                    {payment.number}
                  </Anchor>
                </Table.Td>
                <Table.Td style={{ minWidth: '9rem' }}>{payment.patientName}</Table.Td>
                <Table.Td ta="right">
                  <Money cents={payment.amountCents} />
                  {payment.refundedCents > 0 ? (
                    <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                      refunded <Money cents={payment.refundedCents} />
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <StatusBadge status={payment.status} />
                </Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <CalendarDate value={payment.dueDate} style={{ whiteSpace: 'nowrap' }} />
                    {payment.overdue ? <OverdueBadge /> : null}
                  </Group>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <DateTime value={payment.createdAt} withTime={false} />
                </Table.Td>
                <Table.Td visibleFrom="lg">{typeLabel(payment.type)}</Table.Td>
                <Table.Td visibleFrom="lg">{payment.locationName ?? '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {items.length === 0 ? (
        <EmptyState title="No payments match">Try other filters, or clear the search.</EmptyState>
      ) : null}
      <Pager page={params.page} pageSize={params.pageSize} total={total} onChange={(page) => onChange({ page })} empty="No payments" mt="md" />
    </>
  );
}
