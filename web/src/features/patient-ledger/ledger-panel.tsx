import { Anchor, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { apiUrl } from '../../api/client';
import { CalendarDate } from '../../ui/dates';
import { ExportLink } from '../../ui/export-link';
import { Money } from '../../ui/money';
import { EmptyState, LoadingState, QueryError } from '../../ui/states';
import { AgingFigures } from './aging-figures';
import { ledgerKindLabels, usePatientLedger, type LedgerRow } from './ledger-api';
import { Pager } from '../../ui/pager';

const PAGE_SIZE = 25;

/** Where a row leads: the payment, the visit or the remittance it came from. */
function RowLink({ row }: { row: LedgerRow }) {
  if (row.paymentId) return <Anchor component={Link} to={`/payments/${row.paymentId}`} size="sm">Payment</Anchor>;
  if (row.remittanceId) return <Anchor component={Link} to={`/remittances/${row.remittanceId}`} size="sm">Remittance</Anchor>;
  if (row.treatmentId) return <Anchor component={Link} to={`/treatments/${row.treatmentId}`} size="sm">Visit</Anchor>;
  return null;
}

/**
 * The patient's ledger (from the journal): every movement in date order with
 * the running patient and insurance balances, the balance's aging, and an
 * export. Opens on the newest page, where the current balance is.
 */
export function PatientLedgerPanel({ patientId }: { patientId: string }) {
  const ledger = usePatientLedger(patientId);
  const [page, setPage] = useState<number | null>(null);

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="ledger-title">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Title order={2} size="h4" id="ledger-title">
          Ledger
        </Title>
        <ExportLink href={apiUrl(`/patients/${encodeURIComponent(patientId)}/ledger/export.csv`)} label="ledger" />
      </Group>
      {ledger.isPending ? (
        <LoadingState label="Loading ledger…" />
      ) : ledger.isError ? (
        <QueryError query={ledger} />
      ) : (
        (() => {
          const { items } = ledger.data;
          const pages = Math.max(1, Math.ceil(items.length / PAGE_SIZE));
          const shown = Math.min(page ?? pages, pages);
          const rows = items.slice((shown - 1) * PAGE_SIZE, shown * PAGE_SIZE);
          return (
            <Stack gap="md">
              <Group gap="xl" wrap="wrap">
                <Stack gap={0}>
                  <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                    Patient balance
                  </Text>
                  <Text size="xl" fw={700} data-testid="ledger-balance">
                    <Money cents={ledger.data.balanceCents} signColor />
                  </Text>
                  <Text size="xs" c="dimmed">
                    Owed less unapplied funds and credit
                  </Text>
                </Stack>
                <Stack gap={0}>
                  <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                    Insurance balance
                  </Text>
                  <Text size="xl" fw={700} data-testid="ledger-insurance-balance">
                    <Money cents={ledger.data.insuranceBalanceCents} />
                  </Text>
                </Stack>
              </Group>
              <Stack gap={4}>
                <Text size="sm" fw={600}>
                  Patient responsibility by age of visit (as of <CalendarDate value={ledger.data.asOf} />)
                </Text>
                <AgingFigures aging={ledger.data.aging} label="Patient balance aging" testId="ledger-aging" />
              </Stack>
              {items.length === 0 ? (
                <EmptyState title="Nothing on the ledger yet">Charges, payments and credits appear here as they are recorded.</EmptyState>
              ) : (
                <>
                  <Table.ScrollContainer minWidth={860}>
                    <Table verticalSpacing={6} aria-label="Ledger" striped>
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>Date</Table.Th>
                          <Table.Th>Kind</Table.Th>
                          <Table.Th>Description</Table.Th>
                          <Table.Th ta="right">Amount</Table.Th>
                          <Table.Th ta="right">Insurance balance</Table.Th>
                          <Table.Th ta="right">Patient balance</Table.Th>
                          <Table.Th>Open</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {rows.map((row) => (
                          <Table.Tr key={row.id} data-kind={row.kind}>
                            <Table.Td style={{ whiteSpace: 'nowrap' }}>
                              <CalendarDate value={row.date} size="sm" />
                            </Table.Td>
                            <Table.Td style={{ whiteSpace: 'nowrap' }}>{ledgerKindLabels[row.kind]}</Table.Td>
                            <Table.Td>
                              <Text size="sm">{row.description}</Text>
                            </Table.Td>
                            <Table.Td ta="right">
                              <Money cents={row.amountCents} signColor />
                            </Table.Td>
                            <Table.Td ta="right">
                              <Money cents={row.runningInsuranceCents} />
                            </Table.Td>
                            <Table.Td ta="right" fw={600}>
                              <Money cents={row.runningBalanceCents} signColor />
                            </Table.Td>
                            <Table.Td>
                              <RowLink row={row} />
                            </Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </Table.ScrollContainer>
                  <Pager page={shown} pageSize={PAGE_SIZE} total={items.length} onChange={setPage} />
                </>
              )}
            </Stack>
          );
        })()
      )}
    </Card>
  );
}
