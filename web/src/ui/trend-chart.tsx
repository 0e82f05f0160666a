import { useElementSize } from '@mantine/hooks';
import { useState, type PointerEvent } from 'react';

export interface TrendPoint {
  label: string;
  value: number;
}

export interface TrendChartProps {
  points: TrendPoint[];
  /** The series' name in the tooltip ("Collected"). */
  seriesLabel: string;
  /** The tooltip's value, exact. */
  formatValue: (value: number) => string;
  /** A value-axis tick (rounder than the tooltip). */
  formatTick: (value: number) => string;
  /** A Mantine colour variable's name, e.g. 'teal-8'. */
  color?: string;
  height?: number;
  /** Room for the value axis' ticks. */
  axisWidth?: number;
  /** The smallest step between ticks (a dollar, for cents shown as whole dollars). */
  minTickStep?: number;
}

const top = 10;
const bottom = 24;
const right = 28;
const fontSize = 12;
/** About the width of a month's label ("Sep 2026") at 12 px. */
const labelWidth = 60;

/** Round ticks from 0 to at least `max`: steps of 1, 2, 2.5 or 5 times a power of ten (at least `minStep`), about four of them. */
export function niceTicks(max: number, minStep = 0, count = 4): number[] {
  const rough = Math.max(max / count, minStep, Number.MIN_VALUE);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  if (!(max > 0)) return [0, step];
  const ticks: number[] = [];
  for (let value = 0; value < max + step; value += step) {
    ticks.push(value);
    if (value >= max) break;
  }
  return ticks;
}

/**
 * A small area chart of one series over labelled points (months), drawn as SVG: a value axis, the labels under
 * the points, and on hover the nearest point's exact value. For the eye only (aria-hidden): the page gives the same
 * figures as text. A chart library was a third of the payments page's script for this one chart (ADR 0034).
 */
export function TrendChart({ points, seriesLabel, formatValue, formatTick, color = 'teal-8', height = 150, axisWidth = 64, minTickStep = 0 }: TrendChartProps) {
  const { ref, width } = useElementSize();
  const [active, setActive] = useState<number | null>(null);
  const stroke = `var(--mantine-color-${color})`;

  const plotWidth = Math.max(width - axisWidth - right, 1);
  const plotHeight = height - top - bottom;
  // The value axis starts at 0 unless something is below it (a month with more refunded than collected).
  const maxValue = Math.max(0, ...points.map((p) => p.value));
  const minValue = Math.min(0, ...points.map((p) => p.value));
  const upper = niceTicks(maxValue, minTickStep);
  const lower = minValue < 0 ? niceTicks(-minValue, minTickStep).slice(1).map((v) => -v).reverse() : [];
  const ticks = [...lower, ...upper];
  const low = ticks[0]!;
  const high = ticks[ticks.length - 1]!;
  const x = (i: number) => axisWidth + (points.length > 1 ? (i * plotWidth) / (points.length - 1) : plotWidth / 2);
  const y = (value: number) => top + ((high - value) / (high - low || 1)) * plotHeight;
  const base = y(Math.min(Math.max(0, low), high));
  const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const area = points.length > 0 ? `${line} L${x(points.length - 1).toFixed(1)},${base.toFixed(1)} L${x(0).toFixed(1)},${base.toFixed(1)} Z` : '';
  // Every n-th label, so that neighbours never overlap.
  const labelEvery = Math.max(1, Math.ceil((points.length * labelWidth) / plotWidth));

  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    if (points.length === 0) return;
    const left = event.currentTarget.getBoundingClientRect().left;
    const at = points.length > 1 ? Math.round(((event.clientX - left - axisWidth) / plotWidth) * (points.length - 1)) : 0;
    setActive(Math.min(points.length - 1, Math.max(0, at)));
  };

  const shown = active === null ? null : points[active];
  return (
    <div ref={ref} style={{ position: 'relative', height, marginTop: 'var(--mantine-spacing-sm)' }}>
      {width > 0 ? (
        <svg width={width} height={height} aria-hidden onPointerMove={onPointerMove} onPointerLeave={() => setActive(null)} style={{ display: 'block', overflow: 'visible' }}>
          {ticks.map((tick) => (
            <g key={tick}>
              <line x1={axisWidth} x2={axisWidth + plotWidth} y1={y(tick)} y2={y(tick)} stroke="var(--mantine-color-gray-3)" strokeDasharray={tick === 0 ? undefined : '4 4'} />
              <text data-testid="trend-value-tick" x={axisWidth - 8} y={y(tick)} textAnchor="end" dominantBaseline="middle" fontSize={fontSize} fill="var(--mantine-color-dimmed)">
                {formatTick(tick)}
              </text>
            </g>
          ))}
          {points.map((p, i) =>
            i % labelEvery === (points.length - 1) % labelEvery ? (
              <text key={p.label} x={x(i)} y={height - 6} textAnchor="middle" fontSize={fontSize} fill="var(--mantine-color-dimmed)">
                {p.label}
              </text>
            ) : null,
          )}
          <path d={area} fill={stroke} fillOpacity={0.15} />
          <path d={line} fill="none" stroke={stroke} strokeWidth={2} strokeLinejoin="round" />
          {active !== null ? <line x1={x(active)} x2={x(active)} y1={top} y2={top + plotHeight} stroke="var(--mantine-color-gray-5)" /> : null}
          {points.map((p, i) => (
            <circle key={p.label} data-testid="trend-dot" cx={x(i)} cy={y(p.value)} r={i === active ? 5 : 3} fill={stroke} stroke="var(--mantine-color-white)" strokeWidth={i === active ? 2 : 1} />
          ))}
        </svg>
      ) : null}
      {shown && active !== null ? (
        <div
          data-testid="trend-tooltip"
          aria-hidden
          style={{
            position: 'absolute',
            top: 0,
            // Beside the point, on the side with room.
            ...(x(active) > width / 2 ? { right: width - x(active) + 12 } : { left: x(active) + 12 }),
            pointerEvents: 'none',
            whiteSpace: 'nowrap',
            background: 'var(--mantine-color-body)',
            border: '1px solid var(--mantine-color-gray-3)',
            borderRadius: 'var(--mantine-radius-sm)',
            boxShadow: 'var(--mantine-shadow-sm)',
            padding: '6px 10px',
            fontSize: 'var(--mantine-font-size-sm)',
          }}
        >
          <div style={{ fontWeight: 500 }}>{shown.label}</div>
          <div>
            <span style={{ display: 'inline-block', width: 8, height: 8, borderRadius: 4, background: stroke, marginRight: 6 }} />
            {seriesLabel} <span style={{ fontVariantNumeric: 'tabular-nums', fontWeight: 500 }}>{formatValue(shown.value)}</span>
          </div>
        </div>
      ) : null}
    </div>
  );
}
