import { Box, Container, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** The frame of the patient pages: the practice's name on top, one column, no staff navigation. */
export function PortalShell({ practiceName, children }: { practiceName?: string | null; children: ReactNode }) {
  return (
    <Box mih="100vh" bg="gray.0" py="xl" px="md">
      <Container size={720} px={0}>
        <Stack gap="lg">
          <Group justify="space-between" align="baseline">
            <Title order={1} size="h3" data-testid="portal-practice">
              {practiceName ?? 'Pay your bill'}
            </Title>
            <Text size="sm" c="dimmed">
              Secure patient payment
            </Text>
          </Group>
          <Paper withBorder shadow="xs" radius="md" p={{ base: 'md', sm: 'xl' }}>
            {children}
          </Paper>
        </Stack>
      </Container>
    </Box>
  );
}
