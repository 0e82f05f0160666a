import { Anchor, Badge, Button, Group, SegmentedControl, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { apiUrl } from '../api/client';
import { MatchExceptionDialog, ResolveExceptionDialog, resolutionLabels } from '../features/remittance-work/exception-dialogs';
import { type ExceptionStatus, type RemittanceException, useExceptions } from '../features/remittance-work/remittance-work-api';
import { CalendarDate, DateTime } from '../ui/dates';
import { ExportLink } from '../ui/export-link';
import { Money } from '../ui/money';
import { pageParam } from '../ui/paging';
import { PagedTable } from '../ui/data-table';

const PAGE_SIZE = 25;

/** The exceptions work queue (SPEC section 6): claim payments the import could not post, their money in suspense. */
export function ExceptionsPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const status: ExceptionStatus = searchParams.get('status') === 'resolved' ? 'resolved' : 'open';
  const page = pageParam(searchParams);
  const list = useExceptions({ status, page, pageSize: PAGE_SIZE });
  const [matching, setMatching] = useState<RemittanceException | null>(null);
  const [resolving, setResolving] = useState<RemittanceException | null>(null);

  const go = (next: { status?: ExceptionStatus; page?: number }) => {
    const params = new URLSearchParams();
    if ((next.status ?? status) !== 'open') params.set('status', next.status ?? status);
    if ((next.page ?? 1) > 1) params.set('page', String(next.page));
    setSearchParams(params, { replace: true });
  };

  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Title order={2}>Exceptions</Title>
        <Text size="sm" c="dimmed">
          Claim payments an 835 brought that could not be posted. Their money waits in suspense: match each to the claim it pays, or
          resolve it (returned to the payer, not ours) with a note.
        </Text>
      </Stack>
      <Group justify="space-between">
        <SegmentedControl
          aria-label="Exception status"
          value={status}
          onChange={(value) => go({ status: value as ExceptionStatus })}
          data={[
            { value: 'open', label: 'Open' },
            { value: 'resolved', label: 'Worked' },
          ]}
        />
        <ExportLink href={apiUrl('/remittance-exceptions/export.csv', { status })} label="exceptions" />
      </Group>
      <PagedTable
        query={list}
        label="Remittance exceptions"
        loadingLabel="Loading exceptions…"
        emptyTitle={status === 'open' ? 'No open exceptions' : 'No worked exceptions yet'}
        minWidth={800}
        page={page}
        pageSize={PAGE_SIZE}
        onPage={(p) => go({ page: p })}
        head={
          <>
            <Table.Th>Control number</Table.Th>
            <Table.Th>Payer</Table.Th>
            <Table.Th>Why</Table.Th>
            <Table.Th ta="right">Paid</Table.Th>
            <Table.Th>Import</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </>
        }
        row={(e) => (
          <Table.Tr key={e.id} data-testid="exception-row">
            <Table.Td>
              <Text fw={500} size="sm">
                {e.patientControlNumber || '(none)'}
              </Text>
              {e.patientName ? (
                <Text size="xs" c="dimmed">
                  {e.patientName}
                </Text>
              ) : null}
            </Table.Td>
            <Table.Td>
              <Text size="sm">{e.payerName ?? '—'}</Text>
              <Text size="xs" c="dimmed">
                <CalendarDate value={e.paymentDate} size="xs" c="dimmed" /> {e.traceNumber ?? ''}
              </Text>
            </Table.Td>
            <Table.Td maw={320}>
              <Text size="sm">{e.message}</Text>
            </Table.Td>
            <Table.Td ta="right">
              <Money cents={e.paidCents} fw={600} />
            </Table.Td>
            <Table.Td>
              <Anchor component={Link} to={`/remittances/${e.remittanceId}`} size="sm">
                {e.fileName ?? 'import'}
              </Anchor>
              <Text size="xs" c="dimmed">
                <DateTime value={e.importedAt} withTime={false} size="xs" c="dimmed" />
              </Text>
            </Table.Td>
            <Table.Td>
              {e.status === 'open' ? (
                <Group gap={6} justify="flex-end" wrap="nowrap">
                  {e.matchable ? (
                    <Button size="compact-sm" onClick={() => setMatching(e)} aria-label={`Match ${e.patientControlNumber} to a claim`}>
                      Match
                    </Button>
                  ) : null}
                  <Button size="compact-sm" variant="light" color="orange" onClick={() => setResolving(e)} aria-label={`Resolve ${e.patientControlNumber}`}>
                    Resolve
                  </Button>
                </Group>
              ) : (
                <Stack gap={0} align="flex-end">
                  <Badge variant="light" color={e.status === 'matched' ? 'teal' : 'gray'}>
                    {resolutionLabels[e.resolution ?? ''] ?? e.status}
                  </Badge>
                  <Text size="xs" c="dimmed" ta="right">
                    {e.matchedControlNumber ? `Claim ${e.matchedControlNumber}` : e.resolutionNote}
                  </Text>
                </Stack>
              )}
            </Table.Td>
          </Table.Tr>
        )}
      />
      <MatchExceptionDialog exception={matching} onClose={() => setMatching(null)} />
      <ResolveExceptionDialog exception={resolving} onClose={() => setResolving(null)} />
    </Stack>
  );
}
