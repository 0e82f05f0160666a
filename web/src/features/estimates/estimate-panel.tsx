import { Alert, Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { isApiError } from '../../api/client';
import { describeError } from '../../api/describe-error';
import { formatInstant } from '../../ui/dates';
import { formatCents, Money } from '../../ui/money';
import { LoadingState } from '../../ui/states';
import { useEstimate, type EstimateType } from './estimates-api';

const estimable = new Set(['treatment_prepayment', 'office_visit']);

export interface EstimatePanelProps {
  patientId: string | null;
  treatmentId: string | null;
  /** The payment type chosen in the form; only Treatment Pre-Payment and Office Visit get an estimate. */
  type: string | null;
  /** "Use this amount": fills the payment amount with the estimate's total, in cents. */
  onUse: (amountCents: number) => void;
}

/**
 * SPEC section 8 in the create-payment form: the patient's estimated share of
 * the chosen treatment, line by line (copay, deductible, coinsurance), capped
 * by the out-of-pocket remaining, from the latest eligibility check, with
 * "Use this amount". Renders nothing for other payment types.
 */
export function EstimatePanel({ patientId, treatmentId, type, onUse }: EstimatePanelProps) {
  const applies = type !== null && estimable.has(type);
  const estimate = useEstimate(applies ? patientId : null, applies ? treatmentId : null, applies ? (type as EstimateType) : null);
  if (!applies) return null;

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="estimate-title" data-testid="estimate-panel">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h5" id="estimate-title">
          Payment estimate
        </Title>
        {estimate.data?.basis ? (
          <Badge variant="light" color={estimate.data.basis === 'charges' ? 'gray' : 'teal'}>
            {estimate.data.basis === 'charges' ? 'On charges' : estimate.data.basis === 'fee_schedule' ? 'Fee schedule' : 'Charges and fee schedule'}
          </Badge>
        ) : null}
      </Group>
      {!patientId || !treatmentId ? (
        <Text size="sm" c="dimmed">
          Choose a patient and a treatment to see what the patient is likely to owe.
        </Text>
      ) : estimate.isPending ? (
        <LoadingState label="Estimating…" />
      ) : estimate.isError ? (
        isApiError(estimate.error) && estimate.error.code === 'eligibility_missing' ? (
          <Text size="sm" c="dimmed">
            No usable eligibility check on file for this patient: enter one or import the payer's 271 to get an estimate.
          </Text>
        ) : (
          <Alert color="red" title={describeError(estimate.error).title} role="alert">
            {describeError(estimate.error).message}
          </Alert>
        )
      ) : (
        <Stack gap="sm">
          <Table.ScrollContainer minWidth={480}>
            <Table fz="sm" aria-label="Estimate by procedure">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>CPT</Table.Th>
                  <Table.Th ta="right">Charge</Table.Th>
                  <Table.Th ta="right">Copay</Table.Th>
                  <Table.Th ta="right">Deductible</Table.Th>
                  <Table.Th ta="right">Coinsurance</Table.Th>
                  <Table.Th ta="right">Patient</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {estimate.data.lines.map((line, i) => (
                  <Table.Tr key={`${line.cpt}-${i}`}>
                    <Table.Td>
                      {line.cpt}
                      {line.units > 1 ? ` × ${line.units}` : ''}
                    </Table.Td>
                    <Table.Td ta="right">
                      <Money cents={line.chargeCents} />
                      {line.basisSource === 'fee_schedule' ? (
                        <Text span size="xs" c="dimmed" display="block">
                          allowed {formatCents(line.basisCents)}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td ta="right">
                      <Money cents={line.copayCents} />
                    </Table.Td>
                    <Table.Td ta="right">
                      <Money cents={line.deductibleCents} />
                    </Table.Td>
                    <Table.Td ta="right">
                      <Money cents={line.coinsuranceCents} />
                    </Table.Td>
                    <Table.Td ta="right" fw={600}>
                      <Money cents={line.patientCents} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Group justify="space-between" align="center">
            <Stack gap={0}>
              <Text size="sm">
                Estimated patient share: <Money cents={estimate.data.totalCents} fw={700} data-testid="estimate-total" />
              </Text>
              {estimate.data.cappedByOop ? (
                <Text size="xs" c="dimmed">
                  Capped by the out-of-pocket remaining (lines add up to {formatCents(estimate.data.subtotalCents)}).
                </Text>
              ) : null}
            </Stack>
            <Button size="xs" variant="light" onClick={() => onUse(estimate.data.totalCents)} disabled={estimate.data.totalCents <= 0}>
              Use this amount
            </Button>
          </Group>
          <Text size="xs" c="dimmed">
            {estimate.data.basisNote} From the eligibility check of {formatInstant(estimate.data.eligibility.checkedAt, false)}
            {estimate.data.eligibility.payerName ? ` (${estimate.data.eligibility.payerName})` : ''}.
          </Text>
          {estimate.data.notes.map((note) => (
            <Text key={note} size="xs" c="dimmed">
              {note}
            </Text>
          ))}
        </Stack>
      )}
    </Card>
  );
}
