import { Badge, Button, Card, Group, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { can } from '../features/auth/permissions';
import { useCurrentSession } from '../features/auth/use-current-session';
import { useIdempotencyKey } from '../features/ledger/idempotency';
import { type PayerBalances, useOffsetPayerBalances, usePayerBalances, useRefundPayerBalance } from '../features/remittance-work/remittance-work-api';
import { AmountDialog, DialogActions } from '../ui/amount-dialog';
import { DataTable } from '../ui/data-table';
import { formatCents } from '../ui/money';
import { CalendarDate } from '../ui/dates';
import { Money } from '../ui/money';
import { EmptyState, LoadingState, QueryError } from '../ui/states';
import { MutationError } from '../ui/mutation-error';

const sourceLabels: Record<string, string> = {
  provider_adjustment: 'PLB',
  exception_resolved: 'Exception returned',
  reversal_without_correction: 'Reversal, no correction',
  paid_more_than_billed: 'Paid more than billed',
};

/** Payer balances (SPEC section 6): what the practice owes each payer or is owed, with the 60-day deadline. */
type Item = PayerBalances['payers'][number]['items'][number];

export function PayerBalancesPage() {
  const report = usePayerBalances();
  const { user } = useCurrentSession();
  const [refunding, setRefunding] = useState<Item | null>(null);
  const [offsetting, setOffsetting] = useState<{ item: Item; against: Item } | null>(null);
  const canWork = can(user.role, 'remittance:write');
  /** An open item of the other direction and the same amount, that this one can be netted against. */
  const partnerOf = (items: Item[], item: Item) =>
    item.settledDate || !item.booked ? undefined : items.find((o) => o.id !== item.id && !o.settledDate && o.booked && o.direction !== item.direction && o.amountCents === item.amountCents);
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
        <QueryError query={report} />
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
              <DataTable
                label={`Items of ${payer.payerName ?? 'payer'}`}
                minWidth={700}
                verticalSpacing={4}
                emptyTitle="No items"
                items={payer.items}
                head={
                  <>
                    <Table.Th>What</Table.Th>
                    <Table.Th ta="right">Amount</Table.Th>
                    <Table.Th>Identified</Table.Th>
                    <Table.Th>Deadline</Table.Th>
                    <Table.Th>State</Table.Th>
                  </>
                }
                row={(item) => (
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
                      <Group gap={6} wrap="nowrap">
                        {item.settledDate ? (
                          <Badge variant="light" color="gray" title={item.settlementNote ?? undefined}>
                            {item.settlement === 'refunded' ? 'Refunded' : 'Settled'}
                          </Badge>
                        ) : item.overdue ? (
                          <Badge color="red">Overdue</Badge>
                        ) : (
                          <Badge variant="light">Open</Badge>
                        )}
                        {canWork && partnerOf(payer.items, item) && item.direction === 'owed_to_payer' ? (
                          <Button size="compact-xs" variant="light" color="grape" onClick={() => setOffsetting({ item, against: partnerOf(payer.items, item)! })} aria-label={`Net ${formatCents(item.amountCents)} against what the payer holds`}>
                            Net
                          </Button>
                        ) : null}
                        {!item.settledDate && item.booked && item.direction === 'owed_to_payer' && canWork ? (
                          <Button size="compact-xs" variant="light" onClick={() => setRefunding(item)} aria-label={`Record refund of ${formatCents(item.amountCents)} to the payer`}>
                            Record refund
                          </Button>
                        ) : null}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                )}
              />
            </Card>
          ))}
        </>
      )}
      <AmountDialog subject={offsetting} onClose={() => setOffsetting(null)} title="Net against the payer's recoupment">
        {(pair) => <OffsetForm {...pair} onDone={() => setOffsetting(null)} />}
      </AmountDialog>
      <AmountDialog subject={refunding} onClose={() => setRefunding(null)} title="Record refund to the payer">
        {(item) => <RefundForm item={item} onDone={() => setRefunding(null)} />}
      </AmountDialog>
    </Stack>
  );
}

function RefundForm({ item, onDone }: { item: Item; onDone: () => void }) {
  const [note, setNote] = useState('');
  const refund = useRefundPayerBalance();
  const idempotency = useIdempotencyKey();
  return (
    <Stack gap="md">
      <Text size="sm">
        The practice sent <strong>{formatCents(item.amountCents)}</strong> back to the payer. It leaves cash and what the practice owes the payer.
      </Text>
      <Textarea label="How it was returned" description="Check number or transfer reference" required value={note} onChange={(e) => setNote(e.currentTarget.value)} />
      <MutationError error={refund.error} />
      <DialogActions
        onCancel={onDone}
        submitLabel="Record refund"
        disabled={note.trim() === ''}
        loading={refund.isPending}
        onSubmit={() =>
          refund.mutate(
            { itemId: item.id, note: note.trim(), idempotencyKey: idempotency.keyFor({ refund: item.id, note: note.trim() }) },
            {
              onSuccess: () => {
                notifications.show({ color: 'green', title: 'Refund recorded', message: `${formatCents(item.amountCents)} returned to the payer.` });
                onDone();
              },
            },
          )
        }
      />
    </Stack>
  );
}

function OffsetForm({ item, against, onDone }: { item: Item; against: Item; onDone: () => void }) {
  const [note, setNote] = useState('');
  const offset = useOffsetPayerBalances();
  const idempotency = useIdempotencyKey();
  return (
    <Stack gap="md">
      <Text size="sm">
        The <strong>{formatCents(item.amountCents)}</strong> owed to the payer ({item.description}) and the same amount it withheld ({against.description})
        cancel out. No money moves.
      </Text>
      <Textarea label="Note" required value={note} onChange={(e) => setNote(e.currentTarget.value)} />
      <MutationError error={offset.error} />
      <DialogActions
        onCancel={onDone}
        submitLabel="Net them"
        disabled={note.trim() === ''}
        loading={offset.isPending}
        onSubmit={() =>
          offset.mutate(
            { itemId: item.id, againstItemId: against.id, note: note.trim(), idempotencyKey: idempotency.keyFor({ offset: item.id, against: against.id, note: note.trim() }) },
            {
              onSuccess: () => {
                notifications.show({ color: 'green', title: 'Netted', message: `${formatCents(item.amountCents)} settled against the payer's recoupment.` });
                onDone();
              },
            },
          )
        }
      />
    </Stack>
  );
}
