import { Alert, Badge, Button, Card, Code, CopyButton, Group, NumberInput, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useApiTokens, useCreateApiToken, useRevokeApiToken, type ApiToken, type CreateApiTokenBody, type CreatedApiToken } from '../features/api-tokens/api-tokens-api';
import { can, roleLabel, roleLabels } from '../features/auth/permissions';
import { useCurrentSession } from '../features/auth/use-current-session';
import { DateTime } from '../ui/dates';
import { EmptyState, ErrorState, LoadingState, QueryError } from '../ui/states';
import { MutationError } from '../ui/mutation-error';

const stateColors: Record<ApiToken['state'], string> = { active: 'teal', expired: 'gray', revoked: 'red' };

/** Admins: API tokens for integrations — create (the token shown once), see last use, revoke. */
export function ApiTokensPage() {
  const { user } = useCurrentSession();
  if (!can(user.role, 'tokens:manage')) {
    return <ErrorState title="Not allowed" message="Only admins manage API tokens." />;
  }
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        API tokens
      </Title>
      <NewTokenForm />
      <TokensTable />
    </Stack>
  );
}

function NewTokenForm() {
  const create = useCreateApiToken();
  const [name, setName] = useState('');
  const [role, setRole] = useState<string | null>('biller');
  const [days, setDays] = useState<string | number>('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setNameError('Name the token (what uses it)');
      return;
    }
    const expiresInDays = typeof days === 'number' ? days : undefined;
    create.mutate(
      { name: name.trim(), role: (role ?? 'biller') as CreateApiTokenBody['role'], ...(expiresInDays ? { expiresInDays } : {}) },
      {
        onSuccess: (token) => {
          setCreated(token);
          setName('');
          setDays('');
        },
      },
    );
  };

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="new-token-title">
      <Title order={2} size="h4" id="new-token-title" mb="sm">
        New token
      </Title>
      <form onSubmit={submit} noValidate aria-label="New API token">
        <Stack gap="sm">
          <MutationError error={create.error} />
          {created ? (
            <Alert color="teal" title={`Token "${created.name}" created`} role="status">
              <Stack gap={6}>
                <Text size="sm">Copy it now: it is shown this once and cannot be seen again.</Text>
                <Group gap="xs" wrap="nowrap">
                  <Code data-testid="new-token" style={{ wordBreak: 'break-all' }}>
                    {created.token}
                  </Code>
                  <CopyButton value={created.token}>
                    {({ copied, copy }) => (
                      <Button size="xs" variant="light" onClick={copy}>
                        {copied ? 'Copied' : 'Copy'}
                      </Button>
                    )}
                  </CopyButton>
                </Group>
              </Stack>
            </Alert>
          ) : null}
          <Group align="flex-end" wrap="wrap">
            <TextInput
              label="Name"
              placeholder="EHR sync"
              maxLength={100}
              value={name}
              error={nameError}
              onChange={(e) => {
                setName(e.currentTarget.value);
                setNameError(null);
              }}
            />
            <Select label="Role" data={Object.entries(roleLabels).map(([value, label]) => ({ value, label }))} value={role} onChange={setRole} allowDeselect={false} />
            <NumberInput label="Expires in days" description="Empty: until revoked" min={1} max={3650} allowDecimal={false} value={days} onChange={setDays} w={160} />
            <Button type="submit" loading={create.isPending}>
              Create token
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function TokensTable() {
  const tokens = useApiTokens();
  const revoke = useRevokeApiToken();
  if (tokens.isPending) return <LoadingState label="Loading tokens…" />;
  if (tokens.isError) return <QueryError query={tokens} />;
  if (tokens.data.items.length === 0) return <EmptyState title="No API tokens yet" />;
  return (
    <Card withBorder padding="md" component="section" aria-label="API tokens">
      <MutationError error={revoke.error} mb="sm" />
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing="xs" aria-label="Tokens">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th aria-label="Actions" />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tokens.data.items.map((token) => (
              <Table.Tr key={token.id}>
                <Table.Td>{token.name}</Table.Td>
                <Table.Td>{roleLabel(token.role)}</Table.Td>
                <Table.Td>
                  <Badge color={stateColors[token.state]} variant="light">
                    {token.state}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <DateTime value={token.createdAt} size="sm" />
                </Table.Td>
                <Table.Td>{token.expiresAt ? <DateTime value={token.expiresAt} size="sm" /> : <Text size="sm">never</Text>}</Table.Td>
                <Table.Td>{token.lastUsedAt ? <DateTime value={token.lastUsedAt} size="sm" /> : <Text size="sm">never</Text>}</Table.Td>
                <Table.Td>
                  {token.state === 'active' ? (
                    <Button
                      size="xs"
                      color="red"
                      variant="light"
                      loading={revoke.isPending && revoke.variables === token.id}
                      aria-label={`Revoke ${token.name}`}
                      onClick={() => {
                        if (window.confirm(`Revoke "${token.name}"? Anything using it stops working at once.`)) revoke.mutate(token.id);
                      }}
                    >
                      Revoke
                    </Button>
                  ) : null}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}
