import { Badge, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { describeError } from '../api/describe-error';
import { usePayerBalances } from '../features/remittance-work/remittance-work-api';
import { CalendarDate } from '../ui/dates';
import { Money } from '../ui/money';
import { EmptyState, ErrorState, LoadingState } from '../ui/states';

const sourceLabels: Record<string, string> = {
  provider_adjustment: 'PLB',
  exception_resolved: 'Exception returned',
  reversal_without_correction: 'Reversal, no correction',
  paid_more_than_billed: 'Paid more than billed',
};

/** Payer balances (SPEC section 6): what the practice owes each payer or is owed, with the 60-day deadline. */
export function PayerBalancesPage() {
  const report = usePayerBalances();
  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Title order={2}>Payer balances</Title>
        <Text size="sm" c="dimmed">
          Money between the practice and its payers — recoupments, forwarded balances, overpaid claims, payments returned — kept
          apart from patient money. An overpayment is due back within 60 days of being identified.
        </Text>
      </Stack>
      {report.isPending ? (
        <LoadingState label="Loading payer balances…" />
      ) : report.isError ? (
        <ErrorState {...describeError(report.error)} onRetry={() => void report.refetch()} />
      ) : report.data.payers.length === 0 ? (
        <EmptyState title="No payer balances" />
      ) : (
        <>
          <Group gap="xl">
            <Text size="sm">
              Owed to payers: <Money cents={report.data.owedToPayerCents} fw={600} />
            </Text>
            <Text size="sm">
              Owed by payers: <Money cents={report.data.owedByPayerCents} fw={600} />
            </Text>
            {report.data.overdueCount > 0 ? <Badge color="red">{report.data.overdueCount} overdue</Badge> : null}
          </Group>
          {report.data.payers.map((payer) => (
            <Card withBorder key={`${payer.payerId}|${payer.payerName}`} component="section" aria-label={`Payer ${payer.payerName ?? payer.payerId ?? ''}`}>
              <Group justify="space-between" mb="xs">
                <Title order={3} size="h5">
                  {payer.payerName ?? 'Unnamed payer'} {payer.payerId ? <Text span c="dimmed" size="sm">({payer.payerId})</Text> : null}
                </Title>
                <Group gap="md">
                  <Text size="sm">
                    Owed to payer <Money cents={payer.owedToPayerCents} fw={600} />
                  </Text>
                  <Text size="sm">
                    Owed by payer <Money cents={payer.owedByPayerCents} fw={600} />
                  </Text>
                </Group>
              </Group>
              <Table.ScrollContainer minWidth={700}>
                <Table verticalSpacing={4} aria-label={`Items of ${payer.payerName ?? 'payer'}`}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>What</Table.Th>
                      <Table.Th ta="right">Amount</Table.Th>
                      <Table.Th>Identified</Table.Th>
                      <Table.Th>Deadline</Table.Th>
                      <Table.Th>State</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {payer.items.map((item) => (
                      <Table.Tr key={item.id} data-testid="payer-balance-row">
                        <Table.Td maw={380}>
                          <Text size="sm" fw={500}>
                            {sourceLabels[item.source] ?? item.source}
                            {item.reasonCode ? ` ${item.reasonCode}` : ''}
                          </Text>
                          <Text size="xs" c="dimmed">
                            {item.description}
                          </Text>
                        </Table.Td>
                        <Table.Td ta="right">
                          <Money cents={item.amountCents} />
                          <Text size="xs" c="dimmed">
                            {item.direction === 'owed_to_payer' ? 'owed to payer' : 'owed by payer'}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <CalendarDate value={item.identifiedDate} size="sm" />
                        </Table.Td>
                        <Table.Td>
                          <CalendarDate value={item.deadlineDate} size="sm" />
                        </Table.Td>
                        <Table.Td>
                          {item.settledDate ? (
                            <Badge variant="light" color="gray">
                              Settled
                            </Badge>
                          ) : item.overdue ? (
                            <Badge color="red">Overdue</Badge>
                          ) : (
                            <Badge variant="light">Open</Badge>
                          )}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Card>
          ))}
        </>
      )}
    </Stack>
  );
}
