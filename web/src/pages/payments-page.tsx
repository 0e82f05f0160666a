import { Button, Group, Stack, Title } from '@mantine/core';
import { Link } from 'react-router';
import { can } from '../features/auth/permissions';
import { useCurrentSession } from '../features/auth/use-current-session';
import { DashboardCards } from '../features/dashboard/dashboard-cards';
import { readListParams, writeListParams } from '../features/payments/list-params';
import { PaymentFilters } from '../features/payments/payment-filters';
import { usePayments } from '../features/payments/payments-api';
import { PaymentsTable } from '../features/payments/payments-table';
import { LoadingState, QueryError } from '../ui/states';
import { useUrlQuery } from '../ui/url-query';

export function PaymentsPage() {
  const { user } = useCurrentSession();
  const [params, update] = useUrlQuery(readListParams, writeListParams);
  const payments = usePayments(params);

  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={2}>Payments</Title>
        {can(user.role, 'payments:write') ? (
          <Button component={Link} to="/payments/new">
            New payment
          </Button>
        ) : null}
      </Group>
      <DashboardCards locationId={params.locationId} onStatusClick={(status) => update({ status: [status], page: 1 })} />
      <PaymentFilters params={params} onChange={update} canExport={can(user.role, 'payments:read')} />
      {payments.isPending ? (
        <LoadingState label="Loading payments…" />
      ) : payments.isError ? (
        <QueryError query={payments} />
      ) : (
        <PaymentsTable
          items={payments.data.items}
          total={payments.data.total}
          params={params}
          onChange={update}
          fetching={payments.isPlaceholderData}
        />
      )}
    </Stack>
  );
}
