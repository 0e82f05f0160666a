import { Anchor, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { apiUrl } from '../api/client';
import { useDenials } from '../features/remittance-work/remittance-work-api';
import { CalendarDate } from '../ui/dates';
import { ExportLink } from '../ui/export-link';
import { Money } from '../ui/money';
import { pageParam } from '../ui/paging';
import { PagedTable } from '../ui/data-table';

const PAGE_SIZE = 25;

/** The denials work list (SPEC section 6): denied claims and claims paid $0 with CO/PR reasons, codes explained. */
export function DenialsPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const page = pageParam(searchParams);
  const [search, setSearch] = useState(searchParams.get('search') ?? '');
  const [debounced] = useDebouncedValue(search.trim(), 300);
  const list = useDenials({ page, pageSize: PAGE_SIZE, search: debounced });

  const go = (next: { page?: number; search?: string }) => {
    const params = new URLSearchParams();
    const s = next.search ?? debounced;
    if (s) params.set('search', s);
    if ((next.page ?? 1) > 1) params.set('page', String(next.page));
    setSearchParams(params, { replace: true });
  };

  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Title order={2}>Denials</Title>
        <Text size="sm" c="dimmed">
          Claims the payer denied, and claims it processed without paying for contractual (CO) or patient (PR) reasons. Each
          adjustment reason (CARC) and remark (RARC) is explained, to decide whether to correct, appeal or bill the patient.
        </Text>
      </Stack>
      <Group justify="space-between">
        <TextInput
          aria-label="Search denials"
          placeholder="Control number, patient or payer"
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            if (page > 1) go({ page: 1, search: e.currentTarget.value.trim() });
          }}
          w={320}
        />
        <ExportLink href={apiUrl('/denials/export.csv', { search: debounced })} label="denials" />
      </Group>
      <PagedTable
        query={list}
        label="Denials"
        loadingLabel="Loading denials…"
        emptyTitle="No denials"
        minWidth={800}
        page={page}
        pageSize={PAGE_SIZE}
        onPage={(p) => go({ page: p })}
        head={
          <>
            <Table.Th>Claim</Table.Th>
            <Table.Th>Payer</Table.Th>
            <Table.Th ta="right">Billed</Table.Th>
            <Table.Th ta="right">Paid</Table.Th>
            <Table.Th>Reasons</Table.Th>
          </>
        }
        row={(d) => (
          <Table.Tr key={d.id} data-testid="denial-row">
            <Table.Td>
              {d.treatmentId ? (
                <Anchor component={Link} to={`/treatments/${d.treatmentId}`} fw={500} size="sm">
                  {d.controlNumber}
                </Anchor>
              ) : (
                <Text fw={500} size="sm">
                  {d.controlNumber}
                </Text>
              )}
              <Text size="xs" c="dimmed">
                {d.patientName ?? '—'} · <CalendarDate value={d.serviceDate} size="xs" c="dimmed" />
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{d.payerName ?? '—'}</Text>
              <Text size="xs" c="dimmed">
                {d.statusCode === '4' ? 'Denied' : 'Paid $0'} · <CalendarDate value={d.paymentDate} size="xs" c="dimmed" />
              </Text>
            </Table.Td>
            <Table.Td ta="right">
              <Money cents={d.chargeCents} />
            </Table.Td>
            <Table.Td ta="right">
              <Money cents={d.paidCents} />
            </Table.Td>
            <Table.Td maw={420}>
              <Stack gap={2}>
                {d.adjustments.map((a, i) => (
                  <Text size="sm" key={`a${i}`}>
                    <strong>
                      {a.group}-{a.code}
                    </strong>{' '}
                    <Money cents={a.amountCents} size="sm" />: {a.description}
                  </Text>
                ))}
                {d.remarks.map((r) => (
                  <Text size="sm" key={`r${r.code}`} c="dimmed">
                    <strong>{r.code}</strong>: {r.description}
                  </Text>
                ))}
              </Stack>
            </Table.Td>
          </Table.Tr>
        )}
      />
    </Stack>
  );
}
