import { Anchor, Card, Group, Select, Stack, Text, Title } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { Link, useSearchParams } from 'react-router';
import { apiUrl } from '../api/client';
import { AgingTable } from '../features/patient-ledger/aging-table';
import { useArAging } from '../features/patient-ledger/ledger-api';
import { useLocations } from '../features/payments/payments-api';
import { CalendarDate } from '../ui/dates';
import { ExportLink } from '../ui/export-link';
import { LoadingState, QueryError } from '../ui/states';

/**
 * A/R aging (admin, biller): what patients and payers owe, by the age of the
 * visit, from the journal; the totals over all locations are the trial
 * balance's receivable accounts. Filters live in the URL, so Back keeps them.
 */
export function ArAgingPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const locationId = searchParams.get('locationId');
  const asOf = searchParams.get('asOf');
  const locations = useLocations();
  const report = useArAging({ asOf, locationId });
  const setParam = (name: string, value: string | null) => {
    const next = new URLSearchParams(searchParams);
    if (value) next.set(name, value);
    else next.delete(name);
    setSearchParams(next);
  };

  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Group justify="space-between" wrap="wrap">
          <Title order={2}>A/R aging</Title>
          <ExportLink href={apiUrl('/reports/ar-aging/export.csv', { asOf, locationId })} label="A/R aging" />
        </Group>
        <Text size="sm" c="dimmed">
          Open patient responsibility per patient and open claims per payer, aged from each visit&apos;s date of service.
        </Text>
      </Stack>
      <Group align="flex-end" wrap="wrap">
        <Select
          label="Location"
          placeholder={locations.isError ? 'Locations unavailable' : 'All locations'}
          data={(locations.data?.items ?? []).map((l) => ({ value: l.id, label: l.name }))}
          value={locationId}
          onChange={(value) => setParam('locationId', value)}
          clearable
          disabled={locations.isError}
          style={{ flex: '0 1 16rem' }}
        />
        <DateInput
          label="As of"
          placeholder="Today"
          valueFormat="YYYY-MM-DD"
          value={asOf}
          onChange={(value) => setParam('asOf', value)}
          clearable
          clearButtonProps={{ 'aria-label': 'Clear the as-of date' }}
          style={{ flex: '0 1 12rem' }}
        />
      </Group>
      {report.isPending ? (
        <LoadingState label="Loading A/R aging…" />
      ) : report.isError ? (
        <QueryError query={report} />
      ) : (
        <Stack gap="lg" style={{ opacity: report.isPlaceholderData ? 0.6 : 1 }} aria-busy={report.isPlaceholderData}>
          <Text size="sm">
            As of <CalendarDate value={report.data.asOf} />
          </Text>
          <Card withBorder padding="md" component="section" aria-labelledby="patient-ar-title">
            <Title order={3} size="h4" id="patient-ar-title" mb="sm">
              Patient A/R
            </Title>
            <AgingTable
              label="Patient A/R"
              nameHeader="Patient"
              rows={report.data.patients}
              totals={report.data.patientTotals}
              rowKey={(r) => r.patientId}
              name={(r) => (
                <Anchor component={Link} to={`/patients/${r.patientId}`} size="sm">
                  {r.patientName}
                  <Text span size="xs" c="dimmed">
                    {' '}
                    · {r.accountId}
                  </Text>
                </Anchor>
              )}
              testId="patient-ar"
              empty="No patient owes anything"
            />
          </Card>
          <Card withBorder padding="md" component="section" aria-labelledby="insurance-ar-title">
            <Title order={3} size="h4" id="insurance-ar-title" mb="sm">
              Insurance A/R
            </Title>
            <AgingTable
              label="Insurance A/R"
              nameHeader="Payer"
              rows={report.data.payers}
              totals={report.data.insuranceTotals}
              rowKey={(r) => `${r.payerId ?? ''}:${r.payerName}`}
              name={(r) => (
                <Text size="sm">
                  {r.payerName}
                  {r.payerId ? (
                    <Text span size="xs" c="dimmed">
                      {' '}
                      · {r.payerId}
                    </Text>
                  ) : null}
                </Text>
              )}
              testId="insurance-ar"
              empty="No payer owes anything"
            />
          </Card>
        </Stack>
      )}
    </Stack>
  );
}
