import { Anchor, Button, Modal, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import type { Payment } from '../../api/types';
import { Money } from '../../ui/money';
import { EmptyState, LoadingState, QueryError } from '../../ui/states';
import { StatusBadge } from '../payments/status-badge';
import { useApplications } from './applications-api';
import { ApplicationsTable } from './applications-table';
import { Pager } from '../../ui/pager';

interface Props {
  items: Payment[];
  total: number;
  page: number;
  pageSize: number;
  onPage: (page: number) => void;
  canUnapply: boolean;
  fetching?: boolean;
}

/** The over-applied work list: payments applied beyond what is left of them after refunds. */
export function OverAppliedTable({ items, total, page, pageSize, onPage, canUnapply, fetching = false }: Props) {
  const [reviewing, setReviewing] = useState<Payment | null>(null);
  if (total === 0) return <EmptyState title="No over-applied payments">Every payment is applied within what it is worth.</EmptyState>;

  return (
    <>
      <Table.ScrollContainer minWidth={720}>
        <Table verticalSpacing="xs" aria-label="Over-applied payments" aria-busy={fetching} style={{ opacity: fetching ? 0.6 : 1 }}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Payment</Table.Th>
              <Table.Th>Patient</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th ta="right">Net</Table.Th>
              <Table.Th ta="right">Applied</Table.Th>
              <Table.Th ta="right">Unapplied</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/payments/${p.id}`} fw={500}>
                    {p.number}
                  </Anchor>
                  {p.billing.reference ? (
                    <Text size="xs" c="dimmed">
                      {p.billing.reference}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/patients/${p.patientId}`} size="sm">
                    {p.patientName}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <StatusBadge status={p.status} />
                </Table.Td>
                <Table.Td ta="right">
                  <Money cents={p.billing.netAmountCents} />
                </Table.Td>
                <Table.Td ta="right">
                  <Money cents={p.billing.appliedCents} />
                </Table.Td>
                <Table.Td ta="right">
                  <Money cents={p.billing.unappliedCents} signColor fw={600} />
                </Table.Td>
                <Table.Td ta="right">
                  <Button size="compact-sm" variant="light" onClick={() => setReviewing(p)} aria-label={`Review applications of ${p.number}`}>
                    {canUnapply ? 'Unapply…' : 'Applications'}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager page={page} pageSize={pageSize} total={total} onChange={onPage} mt="md" />
      <Modal
        opened={reviewing !== null}
        onClose={() => setReviewing(null)}
        title={reviewing ? `Applications of ${reviewing.number}` : ''}
        size="lg"
        centered
      >
        {reviewing ? <ReviewApplications payment={reviewing} canUnapply={canUnapply} /> : null}
      </Modal>
    </>
  );
}

function ReviewApplications({ payment, canUnapply }: { payment: Payment; canUnapply: boolean }) {
  const applications = useApplications(payment.id);
  return (
    <Stack gap="sm">
      <Text size="sm">
        {payment.patientName}: net <Money cents={payment.billing.netAmountCents} />, applied{' '}
        <Money cents={payment.billing.appliedCents} />. Unapply {' '}
        <Money cents={-payment.billing.unappliedCents} /> or more to clear it.
      </Text>
      {applications.isPending ? (
        <LoadingState label="Loading applications…" />
      ) : applications.isError ? (
        <QueryError query={applications} />
      ) : (
        <ApplicationsTable applications={applications.data.items} canUnapply={canUnapply} />
      )}
    </Stack>
  );
}
