import { AreaChart } from '@mantine/charts';
import { dollarsTick, formatCents } from '../../ui/money';

/** The collected-per-month trend: loaded on its own, after the figures, since the chart library is the largest piece of the payments page. */
export function CollectedChart({ data }: { data: { month: string; collected: number }[] }) {
  return (
    <AreaChart
      h={150}
      mt="sm"
      data={data}
      dataKey="month"
      series={[{ name: 'collected', label: 'Collected', color: 'teal.8' }]}
      curveType="monotone"
      gridAxis="y"
      tickLine="none"
      withDots
      // Axis ticks in whole dollars; the tooltip to the cent.
      yAxisProps={{ width: 64, tickFormatter: (cents: number) => dollarsTick(cents) }}
      valueFormatter={(cents) => formatCents(Math.round(cents))}
      tooltipAnimationDuration={0}
    />
  );
}
