import { Anchor, Card, Group, Table, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { Treatment } from '../../api/types';
import { CalendarDate } from '../../ui/dates';
import { Money } from '../../ui/money';
import { DataTable } from '../../ui/data-table';
import { OverdueBadge, StatusBadge } from '../payments/status-badge';

/** The payments linked to a visit; unpaid ones past their due date are flagged. */
export function TreatmentPayments({ treatment }: { treatment: Treatment }) {
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="treatment-payments-title">
      <Title order={2} size="h4" id="treatment-payments-title" mb="sm">
        Payments
      </Title>
      <DataTable
        label="Treatment payments"
        minWidth={480}
        verticalSpacing={6}
        emptyTitle="No payments for this visit"
        items={treatment.payments}
        head={
          <>
            <Table.Th>Number</Table.Th>
            <Table.Th ta="right">Amount</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Due</Table.Th>
            <Table.Th>Paid</Table.Th>
          </>
        }
        row={(p) => (
          <Table.Tr key={p.id}>
            <Table.Td>
              <Anchor component={Link} to={`/payments/${p.id}`} fw={500}>
                {p.number}
              </Anchor>
            </Table.Td>
            <Table.Td ta="right">
              <Money cents={p.amountCents} />
            </Table.Td>
            <Table.Td>
              <StatusBadge status={p.status} />
            </Table.Td>
            <Table.Td>
              <Group gap={6} wrap="nowrap">
                <CalendarDate value={p.dueDate} c={p.overdue ? 'red.9' : undefined} style={{ whiteSpace: 'nowrap' }} />
                {p.overdue ? <OverdueBadge /> : null}
              </Group>
            </Table.Td>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>
              <CalendarDate value={p.paidDate} />
            </Table.Td>
          </Table.Tr>
        )}
      />
    </Card>
  );
}
