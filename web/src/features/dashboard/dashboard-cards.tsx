import { Badge, Card, Group, SimpleGrid, Skeleton, Stack, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import type { PaymentStatus } from '../../api/types';
import { describeError } from '../../api/describe-error';
import { formatMonth } from '../../ui/dates';
import { formatCents, Money } from '../../ui/money';
import { ErrorState } from '../../ui/states';
import { paymentStatuses, statusColors, statusLabels } from '../payments/labels';
import { CollectedChart } from './collected-chart';
import { useDashboard } from './dashboard-api';

export interface DashboardCardsProps {
  locationId: string | null;
  /** Called when a status in the breakdown is chosen, to filter the list by it. */
  onStatusClick?: (status: PaymentStatus) => void;
}

export function DashboardCards({ locationId, onStatusClick }: DashboardCardsProps) {
  const dashboard = useDashboard(locationId);

  if (dashboard.isError) {
    const { title, message } = describeError(dashboard.error);
    return <ErrorState title={`Dashboard: ${title}`} message={message} onRetry={() => void dashboard.refetch()} />;
  }

  const data = dashboard.data;
  const chartData = (data?.monthly ?? []).map((m) => ({ month: formatMonth(m.month), collected: m.collectedCents }));
  const statuses = paymentStatuses.filter((status) => (data?.byStatus[status] ?? 0) > 0);

  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
      <Card withBorder padding="md" aria-labelledby="dash-collected">
        <Text id="dash-collected" size="xs" c="dimmed" tt="uppercase" fw={700}>
          Total Collected
        </Text>
        {data ? (
          <Text size="xl" fw={700} data-testid="total-collected">
            <Money cents={data.totalCollectedCents} />
          </Text>
        ) : (
          <Skeleton height={28} mt={4} width="60%" />
        )}
        {data && chartData.length > 0 ? (
          <figure style={{ margin: 0 }} aria-label="Collected per month">
            {/* The figures for a screen reader; the chart is for the eye, with a tooltip per month. */}
            <VisuallyHidden>
              {chartData.map((m) => `${m.month} ${formatCents(m.collected)}`).join(', ')}
            </VisuallyHidden>
            <CollectedChart data={chartData} />
          </figure>
        ) : data ? (
          <Text size="sm" c="dimmed" mt="sm">
            No payments collected yet.
          </Text>
        ) : (
          <Skeleton height={110} mt="sm" />
        )}
      </Card>
      <Card withBorder padding="md" aria-labelledby="dash-outstanding">
        <Text id="dash-outstanding" size="xs" c="dimmed" tt="uppercase" fw={700}>
          Outstanding
        </Text>
        {data ? (
          <Text size="xl" fw={700} data-testid="outstanding">
            <Money cents={data.outstandingCents} />
          </Text>
        ) : (
          <Skeleton height={28} mt={4} width="60%" />
        )}
        <Text size="sm" c="dimmed" mt="xs">
          Draft, pending and processing payments.
        </Text>
      </Card>
      <Card withBorder padding="md" aria-labelledby="dash-status">
        <Text id="dash-status" size="xs" c="dimmed" tt="uppercase" fw={700} mb="xs">
          Payments by status
        </Text>
        {!data ? (
          <Skeleton height={80} />
        ) : statuses.length === 0 ? (
          <Text size="sm" c="dimmed">
            No payments yet.
          </Text>
        ) : (
          <Stack gap={6} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {statuses.map((status) => (
              <li key={status}>
                <UnstyledButton
                  onClick={() => onStatusClick?.(status)}
                  disabled={!onStatusClick}
                  aria-label={`Show ${statusLabels[status]} payments (${data.byStatus[status]})`}
                  style={{ width: '100%' }}
                >
                  <Group justify="space-between" wrap="nowrap">
                    <Badge variant="light" color={statusColors[status]} size="sm">
                      {statusLabels[status]}
                    </Badge>
                    <Text size="sm" fw={600} style={{ fontVariantNumeric: 'tabular-nums' }}>
                      {data.byStatus[status]}
                    </Text>
                  </Group>
                </UnstyledButton>
              </li>
            ))}
          </Stack>
        )}
      </Card>
    </SimpleGrid>
  );
}
