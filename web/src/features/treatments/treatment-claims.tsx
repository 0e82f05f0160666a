import { Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Treatment } from '../../api/types';
import { CalendarDate } from '../../ui/dates';
import { formatCents, Money } from '../../ui/money';
import { EmptyState } from '../../ui/states';
import { claimStatusColors, claimStatusLabels, coverageOrderLabel } from './labels';
import { useBillNextPayer } from './treatments-api';
import { MutationError } from '../../ui/mutation-error';

/** The claims of a visit, one per payer billed, with "Bill next payer" while insurance is awaited. */
export function TreatmentClaims({ treatment, canBill }: { treatment: Treatment; canBill: boolean }) {
  const bill = useBillNextPayer(treatment.id);
  const claims = [...treatment.claims].sort((a, b) => a.coverageOrder - b.coverageOrder);
  const open = claims.find((c) => c.status === 'submitted');
  const billable = canBill && treatment.insuranceStatus === 'awaiting' && !open;

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="claims-title">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Title order={2} size="h4" id="claims-title">
          Claims
        </Title>
        {billable ? (
          <Button
            size="xs"
            loading={bill.isPending}
            onClick={() =>
              bill.mutate(undefined, {
                onSuccess: (claim) =>
                  notifications.show({
                    color: 'green',
                    title: `Billed ${claim.payerName}`,
                    message: `Claim ${claim.controlNumber} for ${formatCents(claim.billedCents)}.`,
                  }),
              })
            }
          >
            Bill next payer
          </Button>
        ) : null}
      </Group>
      <Stack gap="sm">
        <MutationError error={bill.error} />
        {treatment.insuranceStatus === 'self_pay' ? (
          <Text size="sm" c="dimmed">
            Self-pay: no insurance was on file at the visit.
          </Text>
        ) : claims.length === 0 ? (
          <EmptyState title="Not billed yet">Bill the primary payer to start.</EmptyState>
        ) : (
          <Table.ScrollContainer
            minWidth={760}
            // A wide table scrolls sideways: keyboard users can reach it to scroll.
            scrollAreaProps={{ viewportProps: { tabIndex: 0, role: 'group', 'aria-label': 'Claims table, scrolls sideways' } }}
          >
            <Table verticalSpacing={6} aria-label="Claims">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Payer</Table.Th>
                  <Table.Th>Control number</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th ta="right">Billed</Table.Th>
                  <Table.Th ta="right">Paid</Table.Th>
                  <Table.Th ta="right">Contractual</Table.Th>
                  <Table.Th ta="right">Patient resp.</Table.Th>
                  <Table.Th>Processed</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {claims.map((c) => (
                  <Table.Tr key={c.id}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {c.payerName}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {coverageOrderLabel(c.coverageOrder)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace" data-testid="claim-control-number">
                        {c.controlNumber}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge size="sm" variant="light" color={claimStatusColors[c.status]} data-testid="claim-status">
                        {claimStatusLabels[c.status] ?? c.status}
                      </Badge>
                    </Table.Td>
                    <Table.Td ta="right">
                      <Money cents={c.billedCents} />
                    </Table.Td>
                    <Table.Td ta="right">
                      <Money cents={c.paidCents} />
                    </Table.Td>
                    <Table.Td ta="right">
                      <Money cents={c.contractualCents} />
                    </Table.Td>
                    <Table.Td ta="right">
                      <Money cents={c.patientResponsibilityCents} />
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <CalendarDate value={c.processedDate} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}
