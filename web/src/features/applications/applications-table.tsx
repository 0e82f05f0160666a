import { ConfirmDialog } from '../../ui/confirm-dialog';
import { Anchor, Badge, Button, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';
import type { Application, PatientTreatmentSummary } from '../../api/types';
import { DataTable } from '../../ui/data-table';
import { DateTime } from '../../ui/dates';
import { formatCents, Money } from '../../ui/money';
import { treatmentLabel } from '../treatments/labels';
import { useUnapply } from './applications-api';
import { notifyFailure } from '../../ui/mutation-error';

interface Props {
  applications: Application[];
  treatments?: PatientTreatmentSummary[];
  canUnapply: boolean;
}

/** A payment's applications; removed ones stay listed, stamped. */
export function ApplicationsTable({ applications, treatments = [], canUnapply }: Props) {
  const unapply = useUnapply();
  const [confirming, setConfirming] = useState<Application | null>(null);
  const byId = new Map(treatments.map((t) => [t.id, t]));
  // The visit as staff know it: its date and physician (the list carries them; a patient page passes its treatments too).
  const visitOf = (a: Application) => a.treatment ?? byId.get(a.treatmentId);
  const visitLabel = (a: Application) => {
    const visit = visitOf(a);
    return visit ? treatmentLabel(visit) : 'Visit';
  };

  const remove = (application: Application) =>
    unapply.mutate(application.id, {
      onSuccess: () => {
        setConfirming(null);
        notifications.show({ color: 'green', title: 'Unapplied', message: `${formatCents(application.amountCents)} taken back from the visit of ${visitLabel(application)}.` });
      },
      onError: notifyFailure,
    });

  return (
    <>
      <DataTable
        label="Applications"
        minWidth={460}
        verticalSpacing={6}
        emptyTitle="Not applied to any treatment"
        items={applications}
        head={
          <>
            <Table.Th>Treatment</Table.Th>
            <Table.Th ta="right">Amount</Table.Th>
            <Table.Th>Applied</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </>
        }
        row={(a) => {
          const removed = a.removedAt !== null;
          return (
            <Table.Tr key={a.id} style={{ opacity: removed ? 0.6 : 1 }}>
              <Table.Td>
                <Anchor component={Link} to={`/treatments/${a.treatmentId}`} size="sm">
                  {visitLabel(a)}
                </Anchor>
              </Table.Td>
              <Table.Td ta="right" td={removed ? 'line-through' : undefined}>
                <Money cents={a.amountCents} />
              </Table.Td>
              <Table.Td>
                <Stack gap={0}>
                  <DateTime value={a.createdAt} size="sm" />
                  <Text size="xs" c="dimmed">
                    {a.createdBy}
                  </Text>
                </Stack>
              </Table.Td>
              <Table.Td ta="right">
                {removed ? (
                  <Badge size="sm" variant="light" color="gray" title={`Removed ${a.removedAt}`}>
                    Unapplied
                  </Badge>
                ) : canUnapply ? (
                  <Button
                    size="compact-sm"
                    variant="light"
                    color="red"
                    loading={unapply.isPending && unapply.variables === a.id}
                    onClick={() => setConfirming(a)}
                    aria-label={`Unapply ${formatCents(a.amountCents)} from ${visitLabel(a)}`}
                  >
                    Unapply
                  </Button>
                ) : null}
              </Table.Td>
            </Table.Tr>
          );
        }}
      />
      <ConfirmDialog
        subject={confirming}
        title="Unapply?"
        cancelLabel="Keep it"
        confirmLabel={(a) => `Yes, unapply ${formatCents(a.amountCents)}`}
        onConfirm={remove}
        onCancel={() => setConfirming(null)}
        loading={unapply.isPending}
      >
        {(a) => `Take ${formatCents(a.amountCents)} back from the visit of ${visitLabel(a)}? The visit owes it again and the payment holds it as unapplied.`}
      </ConfirmDialog>
    </>
  );
}
