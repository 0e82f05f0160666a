import { Anchor, Badge, Button, Group, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { can } from '../features/auth/permissions';
import { useCurrentSession } from '../features/auth/use-current-session';
import { AssignReceiptDialog } from '../features/reconciliation/assign-receipt-dialog';
import { type ProcessorReceipt, useProcessorReceipts } from '../features/reconciliation/reconciliation-api';
import { apiUrl } from '../api/client';
import { DateTime } from '../ui/dates';
import { ExportLink } from '../ui/export-link';
import { Money } from '../ui/money';
import { Pager } from '../ui/pager';
import { pageParam } from '../ui/paging';
import { EmptyState, LoadingState, QueryError } from '../ui/states';

const statusLabels: Record<ProcessorReceipt['status'], string> = { held: 'Held', booked: 'Booked at once', assigned: 'Assigned', returned: 'Refunded by the processor' };

/** Card charges made in the processor's own dashboard: those naming no patient wait here until a biller assigns them (ADR 0028). */
export function UnidentifiedReceiptsPage() {
  const { user } = useCurrentSession();
  const [searchParams, setSearchParams] = useSearchParams();
  const status = searchParams.get('status') === 'resolved' ? 'resolved' : 'held';
  const page = pageParam(searchParams);
  const receipts = useProcessorReceipts(status, page);
  const [assigning, setAssigning] = useState<ProcessorReceipt | null>(null);
  const mayAssign = can(user.role, 'refunds:write');

  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Group justify="space-between">
          <Title order={2}>Unidentified receipts</Title>
          <ExportLink href={apiUrl('/processor-receipts/export.csv', { status })} label={`${status} processor receipts`} />
        </Group>
        <Text size="sm" c="dimmed">
          Card charges made in the processor's own dashboard. One that names a patient is booked as their payment at once; one that names nobody is held
          here, on the unidentified receipts account, until you assign it to a patient — or refund it in the processor's dashboard.
        </Text>
      </Stack>
      <SegmentedControl
        w="fit-content"
        value={status}
        onChange={(value) => setSearchParams({ status: value }, { replace: true })}
        data={[
          { value: 'held', label: 'Held' },
          { value: 'resolved', label: 'Resolved' },
        ]}
        aria-label="Which receipts"
      />
      {receipts.isPending ? (
        <LoadingState label="Loading receipts…" />
      ) : receipts.isError ? (
        <QueryError query={receipts} />
      ) : receipts.data.items.length === 0 ? (
        <EmptyState title={status === 'held' ? 'Nothing held' : 'None resolved yet'}>
          {status === 'held' ? 'Every card charge made in the processor dashboard is assigned to a patient.' : 'Assigned, booked and refunded receipts appear here.'}
        </EmptyState>
      ) : (
        <>
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="xs" aria-label={status === 'held' ? 'Held receipts' : 'Resolved receipts'}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Received</Table.Th>
                  <Table.Th>Processor reference</Table.Th>
                  <Table.Th>Payer</Table.Th>
                  <Table.Th>{status === 'held' ? 'Description' : 'Payment'}</Table.Th>
                  <Table.Th ta="right">Amount</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {receipts.data.items.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>
                      <DateTime value={r.receivedAt} size="sm" />
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" ff="monospace">
                        {r.processorReference}
                      </Text>
                    </Table.Td>
                    <Table.Td>{r.payerEmail ?? '—'}</Table.Td>
                    <Table.Td>
                      {status === 'held' ? (
                        (r.description ?? '—')
                      ) : r.paymentId ? (
                        <Anchor component={Link} to={`/payments/${r.paymentId}`} fw={500}>
                          {r.paymentNumber} · {r.patientName}
                        </Anchor>
                      ) : (
                        '—'
                      )}
                    </Table.Td>
                    <Table.Td ta="right">
                      <Money cents={r.amountCents} />
                    </Table.Td>
                    <Table.Td ta="right">
                      {r.status === 'held' ? (
                        mayAssign ? (
                          <Button size="xs" variant="light" onClick={() => setAssigning(r)} aria-label={`Assign ${r.processorReference}`}>
                            Assign…
                          </Button>
                        ) : null
                      ) : (
                        <Badge variant="light" color={r.status === 'returned' ? 'gray' : 'green'}>
                          {statusLabels[r.status]}
                        </Badge>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager page={receipts.data.page} pageSize={receipts.data.pageSize} total={receipts.data.total} onChange={(next) => setSearchParams({ status, page: String(next) }, { replace: true })} />
        </>
      )}
      <AssignReceiptDialog receipt={assigning} onClose={() => setAssigning(null)} />
    </Stack>
  );
}
