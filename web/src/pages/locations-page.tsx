import { ConfirmDialog } from '../ui/confirm-dialog';
import { Alert, Badge, Button, Card, Group, Modal, Stack, Table, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import type { Location } from '../../../src/contracts/practice-setup.ts';
import { describeError } from '../api/describe-error';
import { HistoryPanel } from '../features/audit/history-panel';
import { can } from '../features/auth/permissions';
import { useCurrentSession } from '../features/auth/use-current-session';
import { useLocations } from '../features/payments/payments-api';
import { useCreateLocation, useUpdateLocation } from '../features/practice/practice-api';
import { EmptyState, ErrorState, LoadingState, QueryError } from '../ui/states';
import { MutationError } from '../ui/mutation-error';

/** Admins: the practice's locations — add, rename, deactivate (kept on old visits and payments), activate again. */
export function LocationsPage() {
  const { user } = useCurrentSession();
  if (!can(user.role, 'locations:write')) return <ErrorState title="Not allowed" message="Only admins manage locations." />;
  return (
    <Stack gap="md" maw={760}>
      <Title order={1} size="h2">
        Locations
      </Title>
      <NewLocationForm />
      <LocationsTable />
      <HistoryPanel entityType="location" entityId="" />
    </Stack>
  );
}

function NewLocationForm() {
  const create = useCreateLocation();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return setError('Name the location');
    create.mutate(name.trim(), {
      onSuccess: (location) => {
        setName('');
        notifications.show({ color: 'teal', message: `${location.name} added.` });
      },
    });
  };
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="new-location-title">
      <Title order={2} size="h4" id="new-location-title" mb="sm">
        Add a location
      </Title>
      <form onSubmit={submit} noValidate aria-label="Add a location">
        <Stack gap="sm">
          <MutationError error={create.error} />
          <Group align="flex-start">
            <TextInput label="Location name" value={name} maxLength={200} required error={error} onChange={(e) => { setName(e.currentTarget.value); setError(null); }} />
            <Button type="submit" mt={25} loading={create.isPending}>
              Add location
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function LocationsTable() {
  const locations = useLocations();
  const update = useUpdateLocation();
  const [renaming, setRenaming] = useState<Location | null>(null);
  const [newName, setNewName] = useState('');
  const [deactivating, setDeactivating] = useState<Location | null>(null);

  if (locations.isPending) return <LoadingState label="Loading locations…" />;
  if (locations.isError) return <QueryError query={locations} />;
  if (locations.data.items.length === 0) return <EmptyState title="No locations yet" />;

  const save = (location: Location, body: { name?: string; active?: boolean }) =>
    update.mutate(
      { id: location.id, ...body },
      {
        onSuccess: (saved) => {
          setRenaming(null);
          setDeactivating(null);
          notifications.show({ color: 'teal', message: `${saved.name} is ${saved.active ? 'active' : 'deactivated'}.` });
        },
      },
    );
  const failure = update.error ? describeError(update.error) : null;

  return (
    <Card withBorder padding="md" component="section" aria-label="Locations">
      {failure && !renaming && !deactivating ? (
        <Alert color="red" title={failure.title} role="alert" mb="sm">
          {failure.message}
        </Alert>
      ) : null}
      <Table verticalSpacing="xs" aria-label="Practice locations">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {locations.data.items.map((location) => (
            <Table.Tr key={location.id}>
              <Table.Td>{location.name}</Table.Td>
              <Table.Td>
                <Badge color={location.active ? 'teal' : 'gray'} variant="light">
                  {location.active ? 'Active' : 'Deactivated'}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Group gap="xs" justify="flex-end" wrap="nowrap">
                  <Button size="xs" variant="light" aria-label={`Rename ${location.name}`} onClick={() => { update.reset(); setNewName(location.name); setRenaming(location); }}>
                    Rename
                  </Button>
                  {location.active ? (
                    <Button size="xs" variant="light" color="red" aria-label={`Deactivate ${location.name}`} onClick={() => { update.reset(); setDeactivating(location); }}>
                      Deactivate
                    </Button>
                  ) : (
                    <Button size="xs" variant="light" aria-label={`Activate ${location.name}`} onClick={() => save(location, { active: true })}>
                      Activate
                    </Button>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Modal opened={renaming !== null} onClose={() => setRenaming(null)} title={`Rename ${renaming?.name ?? ''}`} centered>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (renaming && newName.trim()) save(renaming, { name: newName.trim() });
          }}
        >
          <Stack>
            <TextInput label="New name" value={newName} maxLength={200} required data-autofocus onChange={(e) => setNewName(e.currentTarget.value)} />
            {failure ? (
              <Alert color="red" title={failure.title} role="alert">
                {failure.message}
              </Alert>
            ) : null}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setRenaming(null)}>
                Cancel
              </Button>
              <Button type="submit" loading={update.isPending} disabled={!newName.trim()}>
                Save name
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
      <ConfirmDialog
        subject={deactivating}
        title="Deactivate location?"
        cancelLabel="Keep active"
        confirmLabel={() => 'Yes, deactivate'}
        onConfirm={(location) => save(location, { active: false })}
        onCancel={() => setDeactivating(null)}
        loading={update.isPending}
      >
        {(location) => `${location.name} will not be offered for new visits or payments. Visits and payments already there keep it.`}
      </ConfirmDialog>
    </Card>
  );
}
