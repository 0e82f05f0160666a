import { Anchor, Button, Table, VisuallyHidden } from '@mantine/core';
import { Link } from 'react-router';
import type { PatientTreatmentSummary } from '../../api/types';
import { CalendarDate } from '../../ui/dates';
import { Money } from '../../ui/money';
import { EmptyState } from '../../ui/states';
import { collectNowHref } from './patient-balance';

export function PatientTreatments({
  patientId,
  treatments,
  canCollect,
}: {
  patientId: string;
  treatments: PatientTreatmentSummary[];
  canCollect: boolean;
}) {
  if (treatments.length === 0) return <EmptyState title="No treatments yet" />;
  return (
    <Table.ScrollContainer minWidth={600}>
      <Table verticalSpacing="xs" aria-label="Treatments">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Date of service</Table.Th>
            <Table.Th>Physician</Table.Th>
            <Table.Th>Location</Table.Th>
            <Table.Th ta="right">Charges</Table.Th>
            <Table.Th ta="right">Patient resp.</Table.Th>
            <Table.Th ta="right">Balance</Table.Th>
            {canCollect ? <Table.Th><VisuallyHidden>Actions</VisuallyHidden></Table.Th> : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {treatments.map((t) => (
            <Table.Tr key={t.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Anchor component={Link} to={`/treatments/${t.id}`} size="sm">
                  <CalendarDate value={t.serviceDate} />
                </Anchor>
              </Table.Td>
              <Table.Td>{t.physician}</Table.Td>
              <Table.Td>{t.locationName ?? '—'}</Table.Td>
              <Table.Td ta="right">
                <Money cents={t.chargeCents} />
              </Table.Td>
              <Table.Td ta="right">
                <Money cents={t.patientResponsibilityCents} />
              </Table.Td>
              <Table.Td ta="right">
                <Money cents={t.balanceCents} signColor />
              </Table.Td>
              {canCollect ? (
                <Table.Td ta="right">
                  <Button
                    component={Link}
                    to={collectNowHref(patientId, Math.max(0, t.patientResponsibilityCents), t.id)}
                    size="compact-sm"
                    variant="light"
                    aria-label={`Collect for the visit of ${t.serviceDate}`}
                  >
                    Collect
                  </Button>
                </Table.Td>
              ) : null}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
