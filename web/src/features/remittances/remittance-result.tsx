import { Alert, Anchor, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { PostedClaim, RemittanceImport } from '../../api/types';
import { Money } from '../../ui/money';
import { DataTable } from '../../ui/data-table';
import { claimStatusCodeLabel, outcomeColors, outcomeLabels } from './labels';

interface Props {
  result: RemittanceImport;
  /** A preview: nothing is posted yet, and the figures say what would be. */
  preview?: boolean;
}

/** What an 835 import posted (or, as a preview, would post): payments, claims, exceptions and warnings. */
export function RemittanceResult({ result, preview = false }: Props) {
  const wouldPost = result.claims.filter((c) => c.outcome !== 'exception' && c.outcome !== 'duplicate').length;
  const stats = [
    { label: 'Claims in the file', value: result.claimCount, testId: 'remittance-claim-count' },
    { label: preview ? 'Would post' : 'Posted', value: preview ? wouldPost : result.postedCount, testId: 'remittance-posted-count' },
    { label: 'Exceptions', value: result.exceptionCount, testId: 'remittance-exception-count' },
    { label: 'Duplicates', value: result.duplicateCount, testId: 'remittance-duplicate-count' },
    { label: 'Warnings', value: result.warnings.length, testId: 'remittance-warning-count' },
  ];

  return (
    <Stack gap="md">
      {result.duplicate ? (
        <Alert color="yellow" title="Already imported" role="status">
          This file was imported before: nothing was posted again.
        </Alert>
      ) : null}
      <SimpleGrid cols={{ base: 2, sm: 5 }}>
        {stats.map((s) => (
          <Card key={s.label} withBorder padding="sm">
            <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
              {s.label}
            </Text>
            <Text size="xl" fw={700} data-testid={s.testId}>
              {s.value}
            </Text>
          </Card>
        ))}
      </SimpleGrid>

      {result.exceptions.length > 0 ? (
        <Card withBorder padding="md" component="section" aria-labelledby="exceptions-title">
          <Title order={3} size="h5" id="exceptions-title" mb="xs" c="red.9">
            Exceptions
          </Title>
          <Text size="sm" c="dimmed" mb="sm">
            Claim payments that could not be matched or posted. Nothing was dropped: work these by hand.
          </Text>
          <ClaimsTable claims={result.exceptions} label="Exceptions" emptyTitle="No exceptions" />
        </Card>
      ) : null}

      {result.warnings.length > 0 ? (
        <Card withBorder padding="md" component="section" aria-labelledby="warnings-title">
          <Title order={3} size="h5" id="warnings-title" mb="sm" c="yellow.9">
            Warnings
          </Title>
          <Stack gap={6} component="ul" m={0} p={0} style={{ listStyle: 'none' }} aria-label="Warnings">
            {result.warnings.map((w, index) => (
              <Group key={`${w.code}-${index}`} component="li" gap="xs" wrap="nowrap" align="flex-start">
                <Badge size="sm" variant="light" color="yellow" style={{ flexShrink: 0 }}>
                  {w.code.replace(/_/g, ' ')}
                </Badge>
                <Text size="sm">
                  {w.message}
                  {w.segmentNumber !== null ? (
                    <Text span size="xs" c="dimmed">
                      {' '}
                      (segment {w.segmentNumber})
                    </Text>
                  ) : null}
                </Text>
              </Group>
            ))}
          </Stack>
        </Card>
      ) : null}

      <Card withBorder padding="md" component="section" aria-labelledby="remit-payments-title">
        <Title order={3} size="h5" id="remit-payments-title" mb="sm">
          Payer payments
        </Title>
        <DataTable
          label="Payer payments"
          minWidth={640}
          verticalSpacing={6}
          emptyTitle="No payments in the file"
          items={result.payments}
          head={
            <>
              <Table.Th>Payer</Table.Th>
              <Table.Th>Trace number</Table.Th>
              <Table.Th ta="right">Payment</Table.Th>
              <Table.Th ta="right">Provider adj.</Table.Th>
              <Table.Th ta="right">Claims</Table.Th>
              <Table.Th>Totals</Table.Th>
              {preview ? null : <Table.Th>Status</Table.Th>}
            </>
          }
          row={(p, index) => (
            <Table.Tr key={`${p.controlNumber}-${index}`}>
              <Table.Td>{p.payerName ?? '—'}</Table.Td>
              <Table.Td ff="monospace">{p.traceNumber ?? '—'}</Table.Td>
              <Table.Td ta="right">
                <Money cents={p.paymentCents} />
              </Table.Td>
              <Table.Td ta="right">
                <Money cents={p.providerAdjustmentCents} />
              </Table.Td>
              <Table.Td ta="right">{p.claimCount}</Table.Td>
              <Table.Td>
                <Badge size="sm" variant="light" color={p.balanced ? 'green' : 'red'}>
                  {p.balanced ? 'Balanced' : 'Does not balance'}
                </Badge>
              </Table.Td>
              {preview ? null : (
                <Table.Td>
                  <Text size="sm">{p.status}</Text>
                  {p.message ? (
                    <Text size="xs" c="dimmed">
                      {p.message}
                    </Text>
                  ) : null}
                </Table.Td>
              )}
            </Table.Tr>
          )}
        />
      </Card>

      <Card withBorder padding="md" component="section" aria-labelledby="remit-claims-title">
        <Title order={3} size="h5" id="remit-claims-title" mb="sm">
          Claims
        </Title>
        <ClaimsTable claims={result.claims} label="Remittance claims" emptyTitle="No claims in the file" />
      </Card>
    </Stack>
  );
}

function ClaimsTable({ claims, label, emptyTitle }: { claims: PostedClaim[]; label: string; emptyTitle: string }) {
  return (
    <DataTable
      label={label}
      minWidth={820}
      verticalSpacing={6}
      emptyTitle={emptyTitle}
      items={claims}
      head={
        <>
          <Table.Th>Control number</Table.Th>
          <Table.Th>Status code</Table.Th>
          <Table.Th>Outcome</Table.Th>
          <Table.Th ta="right">Paid</Table.Th>
          <Table.Th ta="right">Contractual</Table.Th>
          <Table.Th ta="right">Patient resp.</Table.Th>
          <Table.Th ta="right">Forwarded</Table.Th>
          <Table.Th ta="right">To patient</Table.Th>
        </>
      }
      row={(c, index) => (
        <Table.Tr key={`${c.segmentNumber}-${index}`}>
          <Table.Td>
            {c.treatmentId ? (
              <Anchor component={Link} to={`/treatments/${c.treatmentId}`} ff="monospace" size="sm">
                {c.patientControlNumber}
              </Anchor>
            ) : (
              <Text ff="monospace" size="sm">
                {c.patientControlNumber}
              </Text>
            )}
            {c.message ? (
              <Text size="xs" c={c.outcome === 'exception' ? 'red.9' : 'dimmed'}>
                {c.message}
              </Text>
            ) : null}
            {c.warnings.map((w) => (
              <Text key={w} size="xs" c="yellow.9">
                {w}
              </Text>
            ))}
          </Table.Td>
          <Table.Td style={{ whiteSpace: 'nowrap' }}>{claimStatusCodeLabel(c.statusCode)}</Table.Td>
          <Table.Td>
            <Badge size="sm" variant="light" color={outcomeColors[c.outcome]} data-testid="claim-outcome">
              {outcomeLabels[c.outcome] ?? c.outcome}
            </Badge>
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
          <Table.Td ta="right">
            <Money cents={c.forwardedCents} />
          </Table.Td>
          <Table.Td ta="right">
            <Money cents={c.toPatientCents} />
          </Table.Td>
    </Table.Tr>
      )}
    />
  );
}
