import { Anchor, Badge, Card, Group, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { CalendarDate } from '../../ui/dates';
import { Money } from '../../ui/money';
import type { ProcessorPayout } from './reconciliation-api';

const typeLabels: Record<string, string> = { charge: 'Charge', refund: 'Refund', dispute: 'Dispute', adjustment: 'Adjustment', fee: 'Fee' };

/** One payout (a deposit): its items matched to payments, or flagged unmatched, and whether they net to the deposit. */
export function PayoutCard({ payout }: { payout: ProcessorPayout }) {
  const { totals } = payout;
  return (
    <Card withBorder padding="md" aria-label={`Payout ${payout.processorPayoutId}`} component="section">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Group gap="sm">
            <Text fw={600}>{payout.processorPayoutId}</Text>
            <Text size="sm" c="dimmed">
              arrives <CalendarDate value={payout.arrivalDate} />
            </Text>
          </Group>
          <Group gap="sm">
            <Money cents={payout.amountCents} fw={600} />
            {payout.balanced ? (
              <Badge color="green" variant="light">
                Balanced
              </Badge>
            ) : (
              <Badge color="orange" variant="light">
                Items net to <Money cents={totals.netCents} />
              </Badge>
            )}
          </Group>
        </Group>
        <Text size="sm" c="dimmed">
          Gross <Money cents={totals.grossCents} /> · refunds <Money cents={totals.refundsCents} /> · disputes <Money cents={totals.disputesCents} /> · adjustments{' '}
          <Money cents={totals.adjustmentsCents} /> · fees <Money cents={totals.feesCents} /> · net <Money cents={totals.netCents} />
        </Text>
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="xs" aria-label={`Items of payout ${payout.processorPayoutId}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Type</Table.Th>
                <Table.Th>Payment</Table.Th>
                <Table.Th>Patient</Table.Th>
                <Table.Th>Processor reference</Table.Th>
                <Table.Th ta="right">Amount</Table.Th>
                <Table.Th ta="right">Fee</Table.Th>
                <Table.Th ta="right">Net</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {payout.items.map((item) => (
                <Table.Tr key={item.id}>
                  <Table.Td>{typeLabels[item.type] ?? item.type}</Table.Td>
                  <Table.Td>
                    {item.paymentId ? (
                      <Anchor component={Link} to={`/payments/${item.paymentId}`} fw={500}>
                        {item.paymentNumber}
                      </Anchor>
                    ) : item.processorReceiptId ? (
                      <Anchor component={Link} to="/reports/unidentified-receipts">
                        <Badge color="orange" variant="light">
                          Held, to assign
                        </Badge>
                      </Anchor>
                    ) : (
                      <Badge color="red" variant="light">
                        Unmatched
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{item.patientName ?? '—'}</Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {item.sourceReference ?? item.balanceTransactionId}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Money cents={item.amountCents} signColor />
                  </Table.Td>
                  <Table.Td ta="right">
                    <Money cents={item.feeCents} />
                  </Table.Td>
                  <Table.Td ta="right">
                    <Money cents={item.netCents} signColor />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>
    </Card>
  );
}
