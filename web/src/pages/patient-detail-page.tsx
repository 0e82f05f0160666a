import { Anchor, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { MessagesPanel } from '../features/messages/messages-panel';
import { SendMessageDialog } from '../features/messages/send-message-dialog';
import { Link, useParams } from 'react-router';
import { apiUrl } from '../api/client';
import { HistoryPanel } from '../features/audit/history-panel';
import { ExportLink } from '../ui/export-link';
import { can } from '../features/auth/permissions';
import { useCurrentSession } from '../features/auth/use-current-session';
import { CreditsPanel } from '../features/credits/credits-panel';
import { EligibilityPanel } from '../features/eligibility/eligibility-panel';
import { PatientActions } from '../features/patients/patient-actions';
import { PatientLedgerPanel } from '../features/patient-ledger/ledger-panel';
import { PatientBalanceCard } from '../features/patients/patient-balance';
import { PatientTreatments } from '../features/patients/patient-treatments';
import { patientName, usePatient } from '../features/patients/patients-api';
import { CalendarDate } from '../ui/dates';
import { DetailList } from '../ui/detail-list';
import { LoadingState, QueryError } from '../ui/states';

const coverageOrder: Record<number, string> = { 1: 'Primary', 2: 'Secondary', 3: 'Tertiary' };

export function PatientDetailPage() {
  const { id = '' } = useParams();
  const { user } = useCurrentSession();
  const patient = usePatient(id);
  const [sendingStatement, setSendingStatement] = useState(false);

  if (patient.isPending) return <LoadingState label="Loading patient…" />;
  if (patient.isError) {
    return (
      <Stack>
        <Anchor component={Link} to="/patients" size="sm">
          ← Patients
        </Anchor>
        <QueryError query={patient} />
      </Stack>
    );
  }
  const p = patient.data;
  const canCollect = can(user.role, 'payments:write');
  const coverages = [...(p.coverages ?? [])].sort((a, b) => a.order - b.order);

  return (
    <Stack gap="md">
      <Anchor component={Link} to="/patients" size="sm">
        ← Patients
      </Anchor>
      <Group justify="space-between" align="center">
        <Group gap="md">
          <Title order={1} size="h2">
            {patientName(p)}
          </Title>
          <PatientActions patient={p} />
        </Group>
        {/* The session cookie authorises the download; the server renders the PDF (SPEC section 7). */}
        <Group gap="sm">
          <Anchor href={`/api/v1/patients/${p.id}/statement.pdf`} download size="sm">
            Download statement (PDF)
          </Anchor>
          {canCollect ? (
            <Button size="xs" variant="default" onClick={() => setSendingStatement(true)}>
              Send statement
            </Button>
          ) : null}
        </Group>
      </Group>
      {sendingStatement ? <SendMessageDialog opened onClose={() => setSendingStatement(false)} target={{ kind: 'statement', patientId: p.id }} patient={p} /> : null}
      <Card withBorder padding="md">
        <DetailList
          cols={4}
          items={[
            { label: 'Account ID', value: p.accountId },
            { label: 'Date of birth', value: <CalendarDate value={p.dateOfBirth} /> },
            { label: 'Phone', value: p.phone || '—' },
            { label: 'Email', value: p.email || '—' },
          ]}
        />
      </Card>
      <PatientBalanceCard patientId={p.id} balance={p.balance} canCollect={canCollect} />
      <Card withBorder padding="md" component="section" aria-labelledby="coverage-title">
        <Title order={2} size="h4" id="coverage-title" mb="sm">
          Coverage
        </Title>
        {coverages.length === 0 ? (
          <Text size="sm" c="dimmed">
            Self-pay: no insurance on file.
          </Text>
        ) : (
          <Stack gap={4}>
            {coverages.map((c) => (
              <Group key={`${c.order}-${c.payerName}`} gap="xs">
                <Text size="sm" fw={600} w={90}>
                  {coverageOrder[c.order] ?? `#${c.order}`}
                </Text>
                <Text size="sm">
                  {c.payerName}
                  {c.planName ? ` · ${c.planName}` : ''}
                  {c.memberId ? ` · member ${c.memberId}` : ''}
                </Text>
              </Group>
            ))}
          </Stack>
        )}
      </Card>
      <EligibilityPanel patientId={p.id} canRecord={can(user.role, 'patients:write')} />
      <Card withBorder padding="md" component="section" aria-labelledby="treatments-title">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4" id="treatments-title">
            Treatments
          </Title>
          <ExportLink href={apiUrl('/treatments/export.csv', { patientId: p.id })} label="treatments" />
        </Group>
        <PatientTreatments patientId={p.id} treatments={p.treatments} canCollect={canCollect} />
      </Card>
      <PatientLedgerPanel patientId={p.id} />
      <CreditsPanel
        patientId={p.id}
        patientName={`${p.firstName} ${p.lastName}`}
        treatments={p.treatments}
        canCreate={can(user.role, 'credits:write')}
        canApply={can(user.role, 'payments:write')}
        canTransfer={can(user.role, 'credits:transfer')}
      />
      <MessagesPanel patient={p} canChange={can(user.role, 'patients:write')} />
      {can(user.role, 'audit:read') ? <HistoryPanel entityType="patient" entityId={p.id} /> : null}
    </Stack>
  );
}
