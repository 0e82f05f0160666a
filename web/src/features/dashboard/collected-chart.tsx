import { dollarsTick, formatCents } from '../../ui/money';
import { TrendChart } from '../../ui/trend-chart';

/** The collected-per-month trend: ticks in whole dollars, the tooltip to the cent. */
export function CollectedChart({ data }: { data: { month: string; collected: number }[] }) {
  return (
    <TrendChart
      points={data.map((m) => ({ label: m.month, value: m.collected }))}
      seriesLabel="Collected"
      formatValue={(cents) => formatCents(cents)}
      formatTick={(cents) => dollarsTick(cents)}
      minTickStep={100}
      color="teal-8"
      height={150}
    />
  );
}
