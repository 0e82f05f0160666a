import { Anchor, Badge, Group, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { Link } from 'react-router';
import { apiUrl } from '../api/client';
import { PayoutCard } from '../features/reconciliation/payout-card';
import { useProcessorReconciliation } from '../features/reconciliation/reconciliation-api';
import { CalendarDate, todayCalendarDate } from '../ui/dates';
import { ExportLink } from '../ui/export-link';
import { Money } from '../ui/money';
import { EmptyState, LoadingState, QueryError } from '../ui/states';
import { useUrlQuery } from '../ui/url-query';

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

/** The 1st of the month before `date`'s: a default range that covers the latest payouts. */
function startOfPreviousMonth(date: string): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  const year = m === 1 ? y - 1 : y;
  const month = m === 1 ? 12 : m - 1;
  return `${year}-${String(month).padStart(2, '0')}-01`;
}

/** Card processor reconciliation: payouts in a date range with their matched and unmatched items, and the disputes still open. */
export function ProcessorReconciliationPage() {
  const today = todayCalendarDate();
  const [{ from, to }, setRange] = useUrlQuery(
    (query) => ({ from: query.get('from') ?? startOfPreviousMonth(today), to: query.get('to') ?? today }),
    (range) => range,
  );
  const valid = datePattern.test(from) && datePattern.test(to) && from <= to;
  const report = useProcessorReconciliation({ from, to }, valid);

  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Group justify="space-between">
          <Title order={2}>Processor reconciliation</Title>
          {valid ? <ExportLink href={apiUrl('/reports/processor-reconciliation/export.csv', { from, to })} label="processor reconciliation" /> : null}
        </Group>
        <Text size="sm" c="dimmed">
          What the card processor deposited, matched to payments, refunds and disputes, with its fees. Unmatched items are money the ledger does not know: look into them.
        </Text>
      </Stack>
      <Group align="flex-end">
        <TextInput type="date" label="Payouts arriving from" value={from} onChange={(e) => setRange({ from: e.currentTarget.value })} />
        <TextInput type="date" label="to" value={to} onChange={(e) => setRange({ to: e.currentTarget.value })} error={valid ? undefined : 'Choose a range whose start is not after its end'} />
      </Group>
      {!valid ? null : report.isPending ? (
        <LoadingState label="Loading the reconciliation…" />
      ) : report.isError ? (
        <QueryError query={report} />
      ) : (
        <>
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} aria-label="Totals">
            {(
              [
                ['Payouts', report.data.totals.payoutsCents],
                ['Gross', report.data.totals.grossCents],
                ['Refunds', report.data.totals.refundsCents],
                ['Disputes', report.data.totals.disputesCents],
                ['Fees', report.data.totals.feesCents],
                ['Net', report.data.totals.netCents],
              ] as const
            ).map(([label, cents]) => (
              <Stack key={label} gap={0}>
                <Text size="xs" c="dimmed">
                  {label}
                </Text>
                <Money cents={cents} fw={600} aria-label={`${label} total`} />
              </Stack>
            ))}
          </SimpleGrid>
          {report.data.unmatchedCount > 0 ? (
            <Badge color="red" variant="light" size="lg">
              {report.data.unmatchedCount} unmatched {report.data.unmatchedCount === 1 ? 'item' : 'items'}
            </Badge>
          ) : null}
          {report.data.heldReceipts.length > 0 ? (
            <Text size="sm">
              <Anchor component={Link} to="/reports/unidentified-receipts" fw={500}>
                {report.data.heldReceipts.length} card {report.data.heldReceipts.length === 1 ? 'charge' : 'charges'} made in the processor dashboard
              </Anchor>{' '}
              name no patient: <Money cents={report.data.heldReceipts.reduce((sum, r) => sum + r.amountCents, 0)} /> held on unidentified receipts until assigned.
            </Text>
          ) : null}
          {report.data.payouts.length === 0 ? (
            <EmptyState title="No payouts in this range">Payouts appear when the processor reports them paid.</EmptyState>
          ) : (
            report.data.payouts.map((payout) => <PayoutCard key={payout.id} payout={payout} />)
          )}
          <Stack gap="xs">
            <Title order={3} size="h4">
              Open disputes
            </Title>
            {report.data.openDisputes.length === 0 ? (
              <Text size="sm" c="dimmed">
                No open disputes.
              </Text>
            ) : (
              <Table verticalSpacing="xs" aria-label="Open disputes">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Payment</Table.Th>
                    <Table.Th>Patient</Table.Th>
                    <Table.Th>Reason</Table.Th>
                    <Table.Th>Evidence due</Table.Th>
                    <Table.Th ta="right">Held</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {report.data.openDisputes.map((d) => (
                    <Table.Tr key={d.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/payments/${d.paymentId}`} fw={500}>
                          {d.paymentNumber}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{d.patientName}</Table.Td>
                      <Table.Td>{d.reason.replace(/_/g, ' ')}</Table.Td>
                      <Table.Td>
                        <CalendarDate value={d.evidenceDueBy} />
                      </Table.Td>
                      <Table.Td ta="right">
                        <Money cents={d.amountCents} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Stack>
        </>
      )}
    </Stack>
  );
}
