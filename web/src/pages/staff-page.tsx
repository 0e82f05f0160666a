import { ConfirmDialog } from '../ui/confirm-dialog';
import { Alert, Badge, Button, Card, Code, CopyButton, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import type { InvitedUser, StaffUser } from '../../../src/contracts/practice-setup.ts';
import { describeError } from '../api/describe-error';
import { HistoryPanel } from '../features/audit/history-panel';
import { can, roleLabel, roleLabels } from '../features/auth/permissions';
import { useCurrentSession } from '../features/auth/use-current-session';
import { inviteLink, useInviteUser, useReissueInvite, useStaffUsers, useUpdateUser } from '../features/users/users-api';
import { DateTime, formatInstant } from '../ui/dates';
import { EmptyState, ErrorState, LoadingState, QueryError } from '../ui/states';

const roleOptions = Object.entries(roleLabels).map(([value, label]) => ({ value, label }));

/** Admins: staff users — invite by a one-time link, change roles, deactivate. */
export function StaffPage() {
  const { user } = useCurrentSession();
  const [link, setLink] = useState<InvitedUser | null>(null);
  if (!can(user.role, 'users:write')) return <ErrorState title="Not allowed" message="Only admins manage staff users." />;
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        Staff
      </Title>
      <InviteForm onInvited={setLink} />
      {link ? <InviteLinkAlert invited={link} onDone={() => setLink(null)} /> : null}
      <UsersTable currentUserId={user.id} onInvited={setLink} />
      <HistoryPanel entityType="user" entityId="" />
    </Stack>
  );
}

function InviteLinkAlert({ invited, onDone }: { invited: InvitedUser; onDone: () => void }) {
  const url = inviteLink(invited.inviteUrl);
  return (
    <Alert color="teal" title={`Invite link for ${invited.user.name}`} role="status" withCloseButton closeButtonLabel="Dismiss" onClose={onDone}>
      <Stack gap={6}>
        <Text size="sm">
          Send this link to {invited.user.email}. It works once, until {formatInstant(invited.inviteExpiresAt)}, and is shown
          only now.
        </Text>
        <Group gap="xs" wrap="nowrap">
          <Code data-testid="invite-link" style={{ wordBreak: 'break-all' }}>
            {url}
          </Code>
          <CopyButton value={url}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" onClick={copy}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
      </Stack>
    </Alert>
  );
}

function InviteForm({ onInvited }: { onInvited: (invited: InvitedUser) => void }) {
  const invite = useInviteUser();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<string | null>('front_desk');
  const [errors, setErrors] = useState<{ email?: string; name?: string }>({});

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: typeof errors = {};
    if (!/^\S+@\S+\.\S+$/.test(email.trim())) found.email = 'Enter an email address';
    if (!name.trim()) found.name = 'Enter their name';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    invite.mutate(
      { email: email.trim(), name: name.trim(), role: (role ?? 'front_desk') as 'admin' | 'biller' | 'front_desk' },
      {
        onSuccess: (invited) => {
          onInvited(invited);
          setEmail('');
          setName('');
        },
      },
    );
  };
  const failure = invite.error ? describeError(invite.error) : null;

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="invite-title">
      <Title order={2} size="h4" id="invite-title" mb="sm">
        Invite a user
      </Title>
      <form onSubmit={submit} noValidate aria-label="Invite a user">
        <Stack gap="sm">
          {failure ? (
            <Alert color="red" title={failure.title} role="alert">
              {failure.message}
            </Alert>
          ) : null}
          <Group align="flex-start" wrap="wrap">
            <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} required maxLength={200} />
            <TextInput label="Email" type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={errors.email} required maxLength={320} />
            <Select label="Role" data={roleOptions} value={role} onChange={setRole} allowDeselect={false} />
          </Group>
          <Group>
            <Button type="submit" loading={invite.isPending}>
              Create invite link
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function UsersTable({ currentUserId, onInvited }: { currentUserId: string; onInvited: (invited: InvitedUser) => void }) {
  const users = useStaffUsers();
  const update = useUpdateUser();
  const reissue = useReissueInvite();
  const [deactivating, setDeactivating] = useState<StaffUser | null>(null);

  if (users.isPending) return <LoadingState label="Loading staff…" />;
  if (users.isError) return <QueryError query={users} />;
  if (users.data.items.length === 0) return <EmptyState title="No staff users yet" />;
  const failure = update.error ?? reissue.error;

  const change = (user: StaffUser, body: { role?: 'admin' | 'biller' | 'front_desk'; active?: boolean }) =>
    update.mutate(
      { id: user.id, ...body },
      {
        onSuccess: (saved) => {
          setDeactivating(null);
          notifications.show({ color: 'teal', message: `${saved.name}: ${roleLabel(saved.role)}, ${saved.active ? 'active' : 'deactivated'}.` });
        },
      },
    );

  return (
    <Card withBorder padding="md" component="section" aria-label="Staff users">
      {failure && deactivating === null ? (
        <Alert color="red" title={describeError(failure).title} role="alert" mb="sm">
          {describeError(failure).message}
        </Alert>
      ) : null}
      <Table.ScrollContainer minWidth={680}>
        <Table verticalSpacing="xs" aria-label="Users">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Added</Table.Th>
              <Table.Th aria-label="Actions" />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {users.data.items.map((user) => (
              <Table.Tr key={user.id}>
                <Table.Td>
                  {user.name}
                  {user.id === currentUserId ? (
                    <Text span size="xs" c="dimmed">
                      {' '}
                      (you)
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>{user.email}</Table.Td>
                <Table.Td>
                  <Select
                    aria-label={`Role of ${user.name}`}
                    data={roleOptions}
                    value={user.role}
                    onChange={(role) => role && role !== user.role && change(user, { role: role as 'admin' | 'biller' | 'front_desk' })}
                    allowDeselect={false}
                    size="xs"
                    w={140}
                  />
                </Table.Td>
                <Table.Td>
                  {!user.active ? (
                    <Badge color="gray" variant="light">
                      Deactivated
                    </Badge>
                  ) : user.invitePending ? (
                    <Badge color="yellow" variant="light">
                      Invited
                    </Badge>
                  ) : (
                    <Badge color="teal" variant="light">
                      Active
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  <DateTime value={user.createdAt} size="sm" />
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    {user.active && user.invitePending ? (
                      <Button size="xs" variant="light" loading={reissue.isPending && reissue.variables === user.id} onClick={() => reissue.mutate(user.id, { onSuccess: onInvited })}>
                        New link
                      </Button>
                    ) : null}
                    {user.active ? (
                      <Button size="xs" color="red" variant="light" aria-label={`Deactivate ${user.name}`} onClick={() => { update.reset(); setDeactivating(user); }}>
                        Deactivate
                      </Button>
                    ) : (
                      <Button size="xs" variant="light" aria-label={`Activate ${user.name}`} loading={update.isPending && update.variables?.id === user.id} onClick={() => change(user, { active: true })}>
                        Activate
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <ConfirmDialog
        subject={deactivating}
        title="Deactivate user?"
        cancelLabel="Keep active"
        confirmLabel={() => 'Yes, deactivate'}
        onConfirm={(user) => change(user, { active: false })}
        onCancel={() => setDeactivating(null)}
        loading={update.isPending}
        error={update.error}
      >
        {(user) => `${user.name} (${user.email}) is signed out at once and can no longer sign in. Their past work stays in the history.`}
      </ConfirmDialog>
    </Card>
  );
}
