import { Anchor, Badge, Card, Grid, Group, Stack, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { can } from '../features/auth/permissions';
import { useCurrentSession } from '../features/auth/use-current-session';
import { patientName, usePatient } from '../features/patients/patients-api';
import { CopayPanel } from '../features/treatments/copay-panel';
import { insuranceStatusColors, insuranceStatusLabels } from '../features/treatments/labels';
import { TreatmentCharges } from '../features/treatments/treatment-charges';
import { TreatmentClaims } from '../features/treatments/treatment-claims';
import { TreatmentPayments } from '../features/treatments/treatment-payments';
import { useTreatment } from '../features/treatments/treatments-api';
import { CalendarDate, formatCalendarDate } from '../ui/dates';
import { DetailList } from '../ui/detail-list';
import { LoadingState, QueryError } from '../ui/states';

export function TreatmentPage() {
  const { id = '' } = useParams();
  const { user } = useCurrentSession();
  const treatment = useTreatment(id);
  const patient = usePatient(treatment.data?.patientId ?? null);

  if (treatment.isPending) return <LoadingState label="Loading treatment…" />;
  if (treatment.isError) {
    return (
      <Stack>
        <Anchor component={Link} to="/patients" size="sm">
          ← Patients
        </Anchor>
        <QueryError query={treatment} />
      </Stack>
    );
  }
  const t = treatment.data;
  const name = patient.data ? patientName(patient.data) : 'Patient';

  return (
    <Stack gap="md">
      <Anchor component={Link} to={`/patients/${t.patientId}`} size="sm">
        ← {name}
      </Anchor>
      <Group gap="sm" wrap="wrap">
        <Title order={1} size="h2">
          Visit of {formatCalendarDate(t.serviceDate)}
        </Title>
        <Badge size="lg" variant="light" color={insuranceStatusColors[t.insuranceStatus]} data-testid="insurance-status">
          {insuranceStatusLabels[t.insuranceStatus]}
        </Badge>
      </Group>
      <Card withBorder padding="md">
        <DetailList
          cols={4}
          items={[
            {
              label: 'Patient',
              value: (
                <Anchor component={Link} to={`/patients/${t.patientId}`} size="sm">
                  {name}
                </Anchor>
              ),
            },
            {
              label: 'Date of service',
              value: (
                <>
                  <CalendarDate value={t.serviceDate} />
                  {t.serviceTime ? ` ${t.serviceTime}` : ''}
                </>
              ),
            },
            { label: 'Physician', value: t.physician },
            { label: 'Location', value: t.locationName },
          ]}
        />
      </Card>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 7, lg: 8 }}>
          <Stack gap="md">
            <CopayPanel treatment={t} canCollect={can(user.role, 'payments:write')} />
            <TreatmentClaims treatment={t} canBill={can(user.role, 'remittance:write')} />
            <TreatmentPayments treatment={t} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5, lg: 4 }}>
          <TreatmentCharges treatment={t} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
