import { Anchor, Card, Group, Table, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { Treatment } from '../../api/types';
import { CalendarDate } from '../../ui/dates';
import { Money } from '../../ui/money';
import { EmptyState } from '../../ui/states';
import { OverdueBadge, StatusBadge } from '../payments/status-badge';

/** The payments linked to a visit; unpaid ones past their due date are flagged. */
export function TreatmentPayments({ treatment }: { treatment: Treatment }) {
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="treatment-payments-title">
      <Title order={2} size="h4" id="treatment-payments-title" mb="sm">
        Payments
      </Title>
      {treatment.payments.length === 0 ? (
        <EmptyState title="No payments for this visit" />
      ) : (
        <Table.ScrollContainer minWidth={480}>
          <Table verticalSpacing={6} aria-label="Treatment payments">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Number</Table.Th>
                <Table.Th ta="right">Amount</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Due</Table.Th>
                <Table.Th>Paid</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {treatment.payments.map((p) => (
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
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
