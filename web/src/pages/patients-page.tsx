import { Anchor, Button, Group, Stack, Table, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { apiUrl } from '../api/client';
import { ExportLink } from '../ui/export-link';
import { can } from '../features/auth/permissions';
import { useCurrentSession } from '../features/auth/use-current-session';
import { PatientFormDialog } from '../features/patients/patient-form-dialog';
import { patientName, usePatients } from '../features/patients/patients-api';
import { CalendarDate } from '../ui/dates';
import { EmptyState, LoadingState, QueryError } from '../ui/states';
import { Pager } from '../ui/pager';

const PAGE_SIZE = 25;

export function PatientsPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const navigate = useNavigate();
  const { user } = useCurrentSession();
  const [registering, setRegistering] = useState(false);
  const page = Math.max(1, Number(searchParams.get('page')) || 1);
  const [search, setSearch] = useState(searchParams.get('search') ?? '');
  const [debounced] = useDebouncedValue(search, 300);

  useEffect(() => {
    if ((searchParams.get('search') ?? '') === debounced) return;
    const next = new URLSearchParams();
    if (debounced) next.set('search', debounced);
    setSearchParams(next, { replace: true });
  }, [debounced, searchParams, setSearchParams]);

  const patients = usePatients({ search: searchParams.get('search') ?? '', page, pageSize: PAGE_SIZE });

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="center">
        <Title order={2}>Patients</Title>
        <Group gap="sm">
          <ExportLink href={apiUrl('/patients/export.csv', { search: searchParams.get('search') ?? '' })} label="patients with balances" />
          {can(user.role, 'patients:write') ? <Button onClick={() => setRegistering(true)}>New patient</Button> : null}
        </Group>
      </Group>
      <PatientFormDialog opened={registering} onClose={() => setRegistering(false)} onSaved={(patient) => void navigate(`/patients/${patient.id}`)} />
      <TextInput
        label="Search"
        placeholder="Name, account ID, or date of birth (YYYY-MM-DD or MM/DD/YYYY)"
        type="search"
        value={search}
        onChange={(event) => setSearch(event.currentTarget.value)}
        maw={420}
      />
      {patients.isPending ? (
        <LoadingState label="Loading patients…" />
      ) : patients.isError ? (
        <QueryError query={patients} />
      ) : patients.data.items.length === 0 ? (
        <EmptyState title="No patients found">{search ? 'Try another name, account ID or date of birth.' : null}</EmptyState>
      ) : (
        <>
          <Table.ScrollContainer minWidth={520}>
            <Table highlightOnHover verticalSpacing="xs" aria-label="Patients" style={{ opacity: patients.isPlaceholderData ? 0.6 : 1 }}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Account ID</Table.Th>
                  <Table.Th>Date of birth</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {patients.data.items.map((patient) => (
                  <Table.Tr
                    key={patient.id}
                    style={{ cursor: 'pointer' }}
                    onClick={(event) => {
                      if ((event.target as HTMLElement).closest('a')) return;
                      void navigate(`/patients/${patient.id}`);
                    }}
                  >
                    <Table.Td>
                      <Anchor component={Link} to={`/patients/${patient.id}`} fw={500}>
                        {patientName(patient)}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{patient.accountId}</Table.Td>
                    <Table.Td>
                      <CalendarDate value={patient.dateOfBirth} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager
            page={page}
            pageSize={PAGE_SIZE}
            total={patients.data.total}
            empty="No patients"
            onChange={(next) => {
              const params = new URLSearchParams(searchParams);
              params.set('page', String(next));
              setSearchParams(params, { replace: true });
            }}
          />
        </>
      )}
    </Stack>
  );
}
