import { Anchor, Card, Group, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { Patient } from '../../api/types';
import { CalendarDate } from '../../ui/dates';
import { DetailList } from '../../ui/detail-list';
import { patientName } from './patients-api';

/** The patient panel shown beside a payment. */
export function PatientCard({ patient }: { patient: Omit<Patient, 'createdAt' | 'smsOptOut' | 'emailOptOut'> }) {
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="patient-card-title">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h5" id="patient-card-title">
          Patient
        </Title>
        <Anchor component={Link} to={`/patients/${patient.id}`} size="sm">
          Open patient
        </Anchor>
      </Group>
      <DetailList
        cols={1}
        items={[
          { label: 'Name', value: patientName(patient) },
          { label: 'Account ID', value: patient.accountId },
          { label: 'Date of birth', value: <CalendarDate value={patient.dateOfBirth} /> },
          { label: 'Phone', value: patient.phone || '—' },
          { label: 'Email', value: patient.email || '—' },
        ]}
      />
    </Card>
  );
}
