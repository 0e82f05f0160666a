import { Anchor, Badge, Button, Group, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { can } from '../features/auth/permissions';
import { useCurrentSession } from '../features/auth/use-current-session';
import { AssignReceiptDialog } from '../features/reconciliation/assign-receipt-dialog';
import { useIdempotencyKey } from '../features/ledger/idempotency';
import { type ProcessorReceipt, useProcessorReceipts, useReturnProcessorReceipt } from '../features/reconciliation/reconciliation-api';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { apiUrl } from '../api/client';
import { DateTime } from '../ui/dates';
import { ExportLink } from '../ui/export-link';
import { formatCents, Money } from '../ui/money';
import { Pager } from '../ui/pager';
import { pageParam } from '../ui/paging';
import { EmptyState, LoadingState, QueryError } from '../ui/states';

const statusLabels: Record<ProcessorReceipt['status'], string> = { held: 'Held', booked: 'Booked at once', assigned: 'Assigned', returned: 'Given back to the card' };

/** Card charges made in the processor's own dashboard: those naming no patient wait here until a biller assigns them (ADR 0028). */
export function UnidentifiedReceiptsPage() {
  const { user } = useCurrentSession();
  const [searchParams, setSearchParams] = useSearchParams();
  const status = searchParams.get('status') === 'resolved' ? 'resolved' : 'held';
  const page = pageParam(searchParams);
  const receipts = useProcessorReceipts(status, page);
  const [assigning, setAssigning] = useState<ProcessorReceipt | null>(null);
  const [returning, setReturning] = useState<ProcessorReceipt | null>(null);
  const giveBack = useReturnProcessorReceipt();
  const idempotency = useIdempotencyKey();
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
          here, on the unidentified receipts account, until you assign it to a patient — or, when nobody can be named, return it to the card. While the
          cardholder disputes a charge, the processor holds the money and the receipt waits for its outcome.
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
                      {r.returnedCents > 0 ? (
                        <Text size="xs" c="dimmed">
                          {formatCents(r.returnedCents)} given back
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td ta="right">
                      {r.status === 'held' && r.dispute?.status === 'open' ? (
                        <Badge variant="light" color="orange" title={r.dispute.evidenceDueBy ? `Evidence due ${r.dispute.evidenceDueBy}` : undefined}>
                          Disputed {formatCents(r.dispute.amountCents)}
                        </Badge>
                      ) : r.status === 'held' ? (
                        mayAssign ? (
                          <Group gap="xs" justify="flex-end" wrap="nowrap">
                            {r.returnUnderWay ? null : (
                              <Button size="xs" variant="light" onClick={() => setAssigning(r)} aria-label={`Assign ${r.processorReference}`}>
                                Assign…
                              </Button>
                            )}
                            <Button size="xs" variant="subtle" color="red" onClick={() => setReturning(r)} aria-label={`Return ${r.processorReference} to the card`}>
                              {r.returnUnderWay ? 'Finish return…' : 'Return…'}
                            </Button>
                          </Group>
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
      <ConfirmDialog
        subject={returning}
        title="Return to the card"
        confirmLabel={(r) => `Return ${formatCents(r.amountCents - r.returnedCents)}`}
        onCancel={() => {
          giveBack.reset();
          setReturning(null);
        }}
        loading={giveBack.isPending}
        error={giveBack.error}
        onConfirm={(r) =>
          giveBack.mutate(
            { receiptId: r.id, idempotencyKey: idempotency.keyFor({ return: r.id, returnedCents: r.returnedCents }) },
            {
              onSuccess: () => {
                notifications.show({ color: 'green', title: 'Returned to the card', message: `${formatCents(r.amountCents - r.returnedCents)} of ${r.processorReference} went back through the processor.` });
                setReturning(null);
              },
            },
          )
        }
      >
        {(r) =>
          `The processor refunds ${formatCents(r.amountCents - r.returnedCents)} of ${r.processorReference} to the card it came from, and it leaves unidentified receipts. Do this only when nobody can be named: it cannot be undone.`
        }
      </ConfirmDialog>
    </Stack>
  );
}
