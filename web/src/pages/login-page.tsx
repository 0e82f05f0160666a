import { Center, Paper, Stack, Text, Title } from '@mantine/core';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { LoginForm } from '../features/auth/login-form';
import { useSession } from '../features/auth/session';

function returnPath(state: unknown): string {
  const from = (state as { from?: unknown } | null)?.from;
  return typeof from === 'string' && from.startsWith('/') && !from.startsWith('/login') ? from : '/payments';
}

export function LoginPage() {
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const target = returnPath(location.state);

  if (session.data) return <Navigate to={target} replace />;

  return (
    <Center mih="100vh" p="md" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={400}>
        <Stack gap="lg">
          <Stack gap={4}>
            <Title order={1} size="h3">
              Patient Ledger
            </Title>
            <Text c="dimmed" size="sm">
              Sign in to your practice
            </Text>
          </Stack>
          <LoginForm onSignedIn={() => void navigate(target, { replace: true })} />
        </Stack>
      </Paper>
    </Center>
  );
}
