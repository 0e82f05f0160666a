import { Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { PatientBalance } from '../../api/types';
import { Money } from '../../ui/money';

export interface PatientBalanceCardProps {
  patientId: string;
  balance: PatientBalance;
  canCollect: boolean;
}

export function collectNowHref(patientId: string, amountCents: number, treatmentId?: string): string {
  const params = new URLSearchParams({ patientId });
  if (amountCents > 0) params.set('amountCents', String(amountCents));
  if (treatmentId) params.set('treatmentId', treatmentId);
  return `/payments/new?${params.toString()}`;
}

export function PatientBalanceCard({ patientId, balance, canCollect }: PatientBalanceCardProps) {
  const figures = [
    { label: 'Patient responsibility', cents: balance.patientResponsibilityCents, testId: 'balance-responsibility' },
    { label: 'Unapplied funds', cents: balance.unappliedCents, testId: 'balance-unapplied' },
    { label: 'Credit available', cents: balance.creditCents, testId: 'balance-credit' },
  ];
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="balance-title">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Title order={2} size="h4" id="balance-title">
          Balance
        </Title>
        {canCollect ? (
          <Button component={Link} to={collectNowHref(patientId, balance.patientResponsibilityCents)}>
            Collect Now
          </Button>
        ) : null}
      </Group>
      <SimpleGrid cols={{ base: 1, xs: 3 }}>
        {figures.map((figure) => (
          <Stack key={figure.label} gap={2}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
              {figure.label}
            </Text>
            <Text size="xl" fw={700} data-testid={figure.testId}>
              <Money cents={figure.cents} signColor />
            </Text>
          </Stack>
        ))}
      </SimpleGrid>
    </Card>
  );
}
