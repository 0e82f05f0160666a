import { Anchor, Badge, Button, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link } from 'react-router';
import { describeError } from '../../api/describe-error';
import type { Application, PatientTreatmentSummary } from '../../api/types';
import { DateTime } from '../../ui/dates';
import { Money } from '../../ui/money';
import { EmptyState } from '../../ui/states';
import { treatmentLabel } from '../treatments/labels';
import { useUnapply } from './applications-api';

interface Props {
  applications: Application[];
  treatments?: PatientTreatmentSummary[];
  canUnapply: boolean;
}

/** A payment's applications; removed ones stay listed, stamped. */
export function ApplicationsTable({ applications, treatments = [], canUnapply }: Props) {
  const unapply = useUnapply();
  if (applications.length === 0) return <EmptyState title="Not applied to any treatment" />;
  const byId = new Map(treatments.map((t) => [t.id, t]));

  const remove = (application: Application) =>
    unapply.mutate(application.id, {
      onSuccess: () => notifications.show({ color: 'green', title: 'Unapplied', message: 'The application was taken back.' }),
      onError: (error) => notifications.show({ color: 'red', ...describeError(error) }),
    });

  return (
    <Table.ScrollContainer minWidth={460}>
      <Table verticalSpacing={6} aria-label="Applications">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Treatment</Table.Th>
            <Table.Th ta="right">Amount</Table.Th>
            <Table.Th>Applied</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {applications.map((a) => {
            const t = byId.get(a.treatmentId);
            const removed = a.removedAt !== null;
            return (
              <Table.Tr key={a.id} style={{ opacity: removed ? 0.6 : 1 }}>
                <Table.Td>
                  <Anchor component={Link} to={`/treatments/${a.treatmentId}`} size="sm">
                    {t ? treatmentLabel(t) : 'Open treatment'}
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
                      onClick={() => remove(a)}
                      aria-label={`Unapply ${t ? treatmentLabel(t) : 'application'}`}
                    >
                      Unapply
                    </Button>
                  ) : null}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
