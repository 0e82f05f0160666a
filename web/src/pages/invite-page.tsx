import { Alert, Anchor, Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { describeError } from '../api/describe-error';
import { useAcceptInvite, useInvite } from '../features/users/users-api';
import { LoadingState } from '../ui/states';
import { MutationError } from '../ui/mutation-error';

/** The one-time invite link: the invited user sets a password and is signed in. */
export function InvitePage() {
  const { token = '' } = useParams();
  const navigate = useNavigate();
  const invite = useInvite(token);
  const accept = useAcceptInvite(token);
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (password.length < 8) return setError('Use at least 8 characters');
    if (password !== repeat) return setError('The two passwords differ');
    setError(null);
    accept.mutate(password, { onSuccess: () => void navigate('/payments', { replace: true }) });
  };

  return (
    <Center mih="100vh" p="md" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={420}>
        <Stack gap="lg">
          <Title order={1} size="h3">
            Patient Ledger
          </Title>
          {invite.isPending ? (
            <LoadingState label="Checking the invite…" />
          ) : invite.isError ? (
            <Stack>
              <Alert color="red" title={describeError(invite.error).title} role="alert">
                {describeError(invite.error).message}
              </Alert>
              <Anchor component={Link} to="/login">
                Go to sign in
              </Anchor>
            </Stack>
          ) : (
            <form onSubmit={submit} noValidate aria-label="Set your password">
              <Stack>
                <Text size="sm">
                  Welcome, {invite.data.name}. Set a password for {invite.data.email} to join {invite.data.practiceName}.
                </Text>
                <MutationError error={accept.error} />
                <PasswordInput label="New password" description="At least 8 characters" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={error} />
                <PasswordInput label="Repeat password" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.currentTarget.value)} />
                <Button type="submit" loading={accept.isPending} fullWidth>
                  Set password and sign in
                </Button>
              </Stack>
            </form>
          )}
        </Stack>
      </Paper>
    </Center>
  );
}
