import { Alert, Badge, Button, Card, FileButton, Group, List, Stack, Table, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useRef } from 'react';
import { describeError } from '../../api/describe-error';
import { DateTime } from '../../ui/dates';
import { Money } from '../../ui/money';
import { EmptyState, LoadingState, QueryError } from '../../ui/states';
import {
  eligibilitySourceLabels,
  eligibilityStatusLabels,
  followUpActionLabels,
  formatBasisPoints,
  useEligibilityChecks,
  useImport271,
  type EligibilityCheck,
} from './eligibility-api';
import { RecordEligibilityDialog } from './record-eligibility-dialog';

const statusColors: Record<EligibilityCheck['status'], string> = { active: 'green', inactive: 'gray', rejected: 'red' };

/** A remaining figure over its total: "$400.00 of $1,500.00", or just the remaining one. */
function RemainingOf({ remaining, total }: { remaining: number | null; total: number | null }) {
  return (
    <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
      <Money cents={remaining} fw={600} />
      {total !== null ? (
        <Text component="span" size="xs" c="dimmed">
          {' '}
          of <Money cents={total} />
        </Text>
      ) : null}
    </Text>
  );
}

/** EB01 codes a biller meets most; others show as their code. */
const benefitCodeLabels: Record<string, string> = {
  '1': 'Active coverage',
  '6': 'Inactive',
  A: 'Co-insurance',
  B: 'Co-payment',
  C: 'Deductible',
  D: 'Benefit description',
  F: 'Limitations',
  G: 'Out of pocket (stop loss)',
  I: 'Non-covered',
  J: 'Cost containment',
  L: 'Primary care provider',
  N: 'Services restricted to the following provider',
  R: 'Other or additional payor',
  U: 'Contact for benefit information',
  Y: 'Spend down',
};

/**
 * Every benefit (EB) the payer sent, whether or not the summary above used
 * it: the summary picks the office-visit figures; the rest (other service
 * types, out-of-network, limits, messages) are kept and shown here.
 */
function AllBenefits({ benefits }: { benefits: EligibilityCheck['benefits'] }) {
  return (
    <details data-testid="all-benefits">
      <summary>
        <Text span size="xs" c="dark.4">
          All {benefits.length} benefits the payer sent
        </Text>
      </summary>
      <Table.ScrollContainer minWidth={760}>
        <Table verticalSpacing={2} fz="xs" aria-label="All benefits">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Benefit</Table.Th>
              <Table.Th>Service types</Table.Th>
              <Table.Th>Level</Table.Th>
              <Table.Th>Network</Table.Th>
              <Table.Th>Period</Table.Th>
              <Table.Th ta="right">Amount</Table.Th>
              <Table.Th ta="right">Percent</Table.Th>
              <Table.Th>Quantity</Table.Th>
              <Table.Th>Notes</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {benefits.map((b) => (
              <Table.Tr key={`${b.memberLevel}-${b.segmentNumber}`} data-testid="benefit-row">
                <Table.Td>
                  {benefitCodeLabels[b.code] ?? `EB ${b.code}`}
                  {b.memberLevel === 'dependent' ? ' (dependent)' : ''}
                </Table.Td>
                <Table.Td>{b.serviceTypes.join(', ') || '—'}</Table.Td>
                <Table.Td>{b.coverageLevel ?? '—'}</Table.Td>
                <Table.Td>{b.inNetwork === 'Y' ? 'In' : b.inNetwork === 'N' ? 'Out' : '—'}</Table.Td>
                <Table.Td>{b.timePeriod ?? '—'}</Table.Td>
                <Table.Td ta="right">{b.amountCents !== null ? <Money cents={b.amountCents} /> : '—'}</Table.Td>
                <Table.Td ta="right">{b.percentBasisPoints !== null ? formatBasisPoints(b.percentBasisPoints) : '—'}</Table.Td>
                <Table.Td>{b.quantity !== null ? `${b.quantity}${b.quantityQualifier ? ` ${b.quantityQualifier}` : ''}` : '—'}</Table.Td>
                <Table.Td>{[b.planDescription, b.procedure ? `${b.procedure.qualifier} ${b.procedure.code}` : null, ...b.messages].filter(Boolean).join(' · ') || '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </details>
  );
}

/** SPEC section 8: the patient's eligibility checks (by hand or from an X12 271), newest first. */
export function EligibilityPanel({ patientId, canRecord }: { patientId: string; canRecord: boolean }) {
  const checks = useEligibilityChecks(patientId);
  const import271 = useImport271(patientId);
  const [recording, recordDialog] = useDisclosure(false);
  const resetFile = useRef<() => void>(null);
  const importFailure = import271.error ? describeError(import271.error) : null;

  const importFile = (file: File | null) => {
    if (!file) return;
    resetFile.current?.(); // the same file can be chosen again
    import271.mutate(file, {
      onSuccess: (check) =>
        notifications.show({
          color: check.status === 'rejected' ? 'orange' : 'green',
          title: '271 imported',
          message: check.status === 'rejected' ? 'The payer rejected the inquiry: see the reasons.' : `Coverage ${eligibilityStatusLabels[check.status].toLowerCase()}.`,
        }),
    });
  };

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="eligibility-title" data-testid="eligibility-panel">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Title order={2} size="h4" id="eligibility-title">
          Eligibility
        </Title>
        {canRecord ? (
          <Group gap="xs">
            <FileButton onChange={importFile} resetRef={resetFile} accept=".271,.edi,.x12,.txt,text/plain" inputProps={{ 'aria-label': 'Import 271 file' }}>
              {(props) => (
                <Button size="xs" variant="light" loading={import271.isPending} {...props}>
                  Import 271
                </Button>
              )}
            </FileButton>
            <Button size="xs" onClick={recordDialog.open}>
              Record check
            </Button>
          </Group>
        ) : null}
      </Group>
      {importFailure ? (
        <Alert color="red" title={importFailure.title} role="alert" mb="sm" withCloseButton onClose={() => import271.reset()}>
          {importFailure.message}
        </Alert>
      ) : null}
      {checks.isPending ? (
        <LoadingState label="Loading eligibility checks…" />
      ) : checks.isError ? (
        <QueryError query={checks} />
      ) : checks.data.items.length === 0 ? (
        <EmptyState title="No eligibility checks">Record the benefits by hand or import the payer's 271 response.</EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={820}>
          <Table verticalSpacing={6} aria-label="Eligibility checks">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Checked</Table.Th>
                <Table.Th>Source</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th ta="right">Copay</Table.Th>
                <Table.Th ta="right">Coinsurance</Table.Th>
                <Table.Th ta="right">Deductible remaining</Table.Th>
                <Table.Th ta="right">Out-of-pocket remaining</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {checks.data.items.flatMap((c) => [
                <Table.Tr key={c.id} data-testid="eligibility-row">
                  <Table.Td style={{ whiteSpace: 'nowrap', verticalAlign: 'top' }}>
                    <DateTime value={c.createdAt} />
                    <Text size="xs" c="dimmed">
                      {c.createdBy}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ verticalAlign: 'top' }}>
                    <Text size="sm">{eligibilitySourceLabels[c.source] ?? c.source}</Text>
                    {c.payerName || c.memberId ? (
                      <Text size="xs" c="dimmed">
                        {[c.payerName, c.memberId ? `member ${c.memberId}` : null].filter(Boolean).join(' · ')}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td style={{ verticalAlign: 'top' }}>
                    <Stack gap={4} align="flex-start">
                      <Badge color={statusColors[c.status]} variant={c.status === 'rejected' ? 'filled' : 'light'}>
                        {eligibilityStatusLabels[c.status]}
                      </Badge>
                      {c.rejections.length > 0 ? (
                        <div>
                          <Text size="xs" fw={600} c="red.9">
                            Rejection reasons
                          </Text>
                          <List size="xs" spacing={2} aria-label="Rejection reasons" data-testid="rejection-reasons">
                            {c.rejections.map((r, i) => (
                              <List.Item key={i}>
                                {r.code ? `${r.code} · ` : ''}
                                {r.description}
                                {r.followUpAction ? ` (${followUpActionLabels[r.followUpAction] ?? `follow-up ${r.followUpAction}`})` : ''}
                              </List.Item>
                            ))}
                          </List>
                        </div>
                      ) : null}
                      {c.warnings.map((w, i) => (
                        <Text key={i} size="xs" c="orange.9">
                          {w}
                        </Text>
                      ))}
                    </Stack>
                  </Table.Td>
                  <Table.Td ta="right" style={{ verticalAlign: 'top' }}>
                    <Money cents={c.copayCents} />
                  </Table.Td>
                  <Table.Td ta="right" style={{ verticalAlign: 'top' }}>
                    {c.coinsuranceBasisPoints !== null ? formatBasisPoints(c.coinsuranceBasisPoints) : '—'}
                  </Table.Td>
                  <Table.Td ta="right" style={{ verticalAlign: 'top' }}>
                    <RemainingOf remaining={c.deductibleRemainingCents} total={c.deductibleTotalCents} />
                  </Table.Td>
                  <Table.Td ta="right" style={{ verticalAlign: 'top' }}>
                    <RemainingOf remaining={c.oopRemainingCents} total={c.oopTotalCents} />
                  </Table.Td>
                </Table.Tr>,
                c.benefits.length > 0 ? (
                  <Table.Tr key={`${c.id}-benefits`}>
                    <Table.Td colSpan={7} pt={0}>
                      <AllBenefits benefits={c.benefits} />
                    </Table.Td>
                  </Table.Tr>
                ) : null,
              ])}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <RecordEligibilityDialog patientId={patientId} opened={recording} onClose={recordDialog.close} />
    </Card>
  );
}
