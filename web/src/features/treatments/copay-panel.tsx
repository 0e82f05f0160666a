import { Alert, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { Treatment } from '../../api/types';
import { Money } from '../../ui/money';
import { collectNowHref } from '../patients/patient-balance';

/**
 * What the patient owes for this visit, and "Collect Now": the new-payment
 * form prefilled with the patient, this treatment and what is due.
 */
export function CopayPanel({ treatment, canCollect }: { treatment: Treatment; canCollect: boolean }) {
  const paid = treatment.patientResponsibilityCents - treatment.balanceCents;
  const figures = [
    { label: 'Patient responsibility', cents: treatment.patientResponsibilityCents, testId: 'treatment-responsibility' },
    { label: 'Applied', cents: paid, testId: 'treatment-paid' },
    { label: 'Balance due', cents: treatment.balanceCents, testId: 'treatment-balance' },
  ];
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="copay-title">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Title order={2} size="h4" id="copay-title">
          Copay and patient balance
        </Title>
        {canCollect ? (
          <Button component={Link} to={collectNowHref(treatment.patientId, Math.max(0, treatment.balanceCents), treatment.id)}>
            Collect Now
          </Button>
        ) : null}
      </Group>
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, xs: 3 }}>
          {figures.map((f) => (
            <Stack key={f.label} gap={2}>
              <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                {f.label}
              </Text>
              <Text size="xl" fw={700} data-testid={f.testId}>
                <Money cents={f.cents} signColor />
              </Text>
            </Stack>
          ))}
        </SimpleGrid>
        {treatment.insuranceStatus === 'awaiting' ? (
          <Alert color="yellow" variant="light">
            Insurance has not finished with this visit. A copay collected now is held as unapplied funds and applied once
            the payers are done.
          </Alert>
        ) : null}
      </Stack>
    </Card>
  );
}
