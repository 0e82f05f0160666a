import { AppShell, Badge, Burger, Button, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useRef } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import type { Permission } from '../../../src/contracts/rules.ts';
import { can, roleLabel } from '../features/auth/permissions';
import { useLogout } from '../features/auth/session';
import { useCurrentSession } from '../features/auth/use-current-session';
import { useRemittanceWorkCounts } from '../features/remittance-work/remittance-work-api';
import { useHeldReceiptCount } from '../features/reconciliation/reconciliation-api';
import { SkipLink, useFocusHeadingOnNavigate } from '../ui/main-focus';

const nav: Array<{ to: string; label: string; permission?: Permission; count?: 'exceptions' | 'denials' | 'receipts' }> = [
  { to: '/payments', label: 'Payments' },
  { to: '/patients', label: 'Patients' },
  { to: '/over-applied', label: 'Over-applied' },
  { to: '/reports/ar-aging', label: 'A/R aging', permission: 'reports:ledger' },
  { to: '/remittances', label: 'Remittance' },
  { to: '/exceptions', label: 'Exceptions', permission: 'remittance:write', count: 'exceptions' },
  { to: '/denials', label: 'Denials', permission: 'remittance:write', count: 'denials' },
  { to: '/payer-balances', label: 'Payer balances', permission: 'reports:ledger' },
  { to: '/tasks', label: 'Tasks' },
  { to: '/reports/processor-reconciliation', label: 'Processor reconciliation', permission: 'reports:ledger' },
  { to: '/reports/unidentified-receipts', label: 'Unidentified receipts', permission: 'reports:ledger', count: 'receipts' },
  { to: '/settings', label: 'Settings' },
  { to: '/settings/locations', label: 'Locations', permission: 'locations:write' },
  { to: '/settings/staff', label: 'Staff', permission: 'users:write' },
  { to: '/settings/api-tokens', label: 'API tokens', permission: 'tokens:manage' },
  { to: '/settings/webhooks', label: 'Webhooks', permission: 'webhooks:manage' as const },
];

const countLabels = { exceptions: 'open exceptions', denials: 'denials', receipts: 'held receipts' } as const;

/** The signed-in frame: practice and user at the top, navigation at the side. */
export function AppLayout() {
  const { user, practice } = useCurrentSession();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const navigate = useNavigate();
  const logout = useLogout();
  // Open exceptions and denials waiting for a biller, beside their links.
  const counts = useRemittanceWorkCounts(can(user.role, 'remittance:write'));
  // Dashboard charges naming no patient, waiting to be assigned (ADR 0028).
  const heldReceipts = useHeldReceiptCount(can(user.role, 'reports:ledger'));
  const countOf = (key: 'exceptions' | 'denials' | 'receipts') => (key === 'receipts' ? heldReceipts.data : counts.data?.[key]);
  const main = useRef<HTMLElement>(null);
  useFocusHeadingOnNavigate(main);

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: { sm: 170, lg: 210 }, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <SkipLink />
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={1} size="h5" style={{ whiteSpace: 'nowrap' }}>
              Patient Ledger
            </Title>
            <Text c="dimmed" visibleFrom="xs" aria-hidden>
              ·
            </Text>
            <Text fw={500} truncate data-testid="practice-name">
              {practice.name}
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Stack gap={0} align="flex-end" visibleFrom="sm">
              <Text size="sm" fw={500}>
                {user.name}
              </Text>
            </Stack>
            <Badge variant="light" data-testid="user-role">
              {roleLabel(user.role)}
            </Badge>
            <Button
              variant="default"
              size="xs"
              loading={logout.isPending}
              onClick={() => logout.mutate(undefined, { onSettled: () => void navigate('/login', { replace: true }) })}
            >
              Log out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        {nav.filter((item) => !item.permission || can(user.role, item.permission)).map((item) => (
          <NavLink
            key={item.to}
            component={Link}
            to={item.to}
            label={item.label}
            rightSection={
              item.count && countOf(item.count) !== undefined ? (
                <Badge size="sm" variant="light" circle={false} data-testid={`nav-count-${item.count}`} aria-label={`${countOf(item.count)} ${countLabels[item.count]}`}>
                  {countOf(item.count)}
                </Badge>
              ) : undefined
            }
            active={location.pathname === item.to || location.pathname.startsWith(`${item.to}/`)}
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main id="main" ref={main} tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
