import { Button, Card, Group, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState } from 'react';
import { apiUrl } from '../../api/client';
import { ExportLink } from '../../ui/export-link';
import type { Credit, PatientTreatmentSummary } from '../../api/types';
import { DataTable } from '../../ui/data-table';
import { DateTime } from '../../ui/dates';
import { Money } from '../../ui/money';
import { LoadingState, QueryError } from '../../ui/states';
import { ApplyCreditDialog } from './apply-credit-dialog';
import { creditSourceLabels, useCredits } from './credits-api';
import { NewCreditDialog } from './new-credit-dialog';
import { TransferCreditDialog } from './transfer-credit-dialog';

interface Props {
  patientId: string;
  patientName: string;
  treatments: PatientTreatmentSummary[];
  canCreate: boolean;
  canApply: boolean;
  canTransfer: boolean;
}

/** SPEC section 5: the patient's credit lots, what remains of each, and what can be done with them. */
export function CreditsPanel({ patientId, patientName, treatments, canCreate, canApply, canTransfer }: Props) {
  const credits = useCredits(patientId);
  const [creating, newCredit] = useDisclosure(false);
  const [applying, setApplying] = useState<{ creditId: string | null } | null>(null);
  const [transferring, setTransferring] = useState<Credit | null>(null);
  const available = credits.data?.availableCents ?? 0;
  const owing = treatments.some((t) => t.balanceCents > 0);

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="credits-title">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Group gap="md" align="baseline">
          <Title order={2} size="h4" id="credits-title">
            Credits
          </Title>
          {credits.data ? (
            <Text size="sm">
              Available: <Money cents={available} fw={700} data-testid="credit-available" />
            </Text>
          ) : null}
        </Group>
        <Group gap="xs">
          <ExportLink href={apiUrl('/credits/export.csv', { patientId })} label="credits" />
          {canApply && available > 0 ? (
            <Button size="xs" variant="light" onClick={() => setApplying({ creditId: null })} disabled={!owing} title={owing ? undefined : 'No treatment has an open balance'}>
              Apply to a treatment
            </Button>
          ) : null}
          {canCreate ? (
            <Button size="xs" onClick={newCredit.open}>
              New Credit
            </Button>
          ) : null}
        </Group>
      </Group>
      {credits.isPending ? (
        <LoadingState label="Loading credits…" />
      ) : credits.isError ? (
        <QueryError query={credits} />
      ) : (
        <DataTable
          label="Credit lots"
          minWidth={600}
          verticalSpacing={6}
          emptyTitle="No credits"
          items={credits.data.items}
          head={
            <>
              <Table.Th>Created</Table.Th>
              <Table.Th>From</Table.Th>
              <Table.Th ta="right">Amount</Table.Th>
              <Table.Th ta="right">Remaining</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </>
          }
          row={(c) => (
            <Table.Tr key={c.id} style={{ opacity: c.remainingCents === 0 ? 0.6 : 1 }}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <DateTime value={c.createdAt} withTime={false} />
                <Text size="xs" c="dimmed">
                  {c.createdBy}
                </Text>
              </Table.Td>
              <Table.Td>
                <Stack gap={0}>
                  <Text size="sm">{creditSourceLabels[c.source] ?? c.source}</Text>
                  {c.reference || c.description ? (
                    <Text size="xs" c="dimmed">
                      {[c.reference, c.description].filter(Boolean).join(' · ')}
                    </Text>
                  ) : null}
                </Stack>
              </Table.Td>
              <Table.Td ta="right">
                <Money cents={c.amountCents} />
              </Table.Td>
              <Table.Td ta="right">
                <Money cents={c.remainingCents} fw={600} />
              </Table.Td>
              <Table.Td>
                {c.remainingCents > 0 ? (
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    {canApply ? (
                      <Button size="compact-sm" variant="light" onClick={() => setApplying({ creditId: c.id })} disabled={!owing}>
                        Apply
                      </Button>
                    ) : null}
                    {canTransfer ? (
                      <Button size="compact-sm" variant="subtle" onClick={() => setTransferring(c)}>
                        Transfer
                      </Button>
                    ) : null}
                  </Group>
                ) : null}
              </Table.Td>
            </Table.Tr>
          )}
        />
      )}
      <NewCreditDialog patientId={patientId} opened={creating} onClose={newCredit.close} />
      <ApplyCreditDialog
        credits={credits.data?.items ?? []}
        treatments={treatments}
        initialCreditId={applying?.creditId ?? null}
        opened={applying !== null}
        onClose={() => setApplying(null)}
      />
      <TransferCreditDialog credit={transferring} patientName={patientName} onClose={() => setTransferring(null)} />
    </Card>
  );
}
