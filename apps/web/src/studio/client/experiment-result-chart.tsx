'use client';

import {
  Bar,
  BarChart,
  CartesianGrid,
  ErrorBar,
  LabelList,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { VariantResult } from '../../server/studio-api';

const tooltipStyle = { background: 'var(--color-surface-raised)', borderColor: 'var(--color-border)' };
const percent = (rate: number) => Number((rate * 100).toFixed(2));

/**
 * An experiment's variants side by side: impressions and clicks, and the CTR with its 95 % interval as an
 * error bar (intervals that do not overlap are a difference the data supports).
 */
export function ExperimentResultChart({ variants }: { variants: VariantResult[] }) {
  const data = variants.map(({ variantId, impressions, clicks, ctr, interval }) => ({
    variantId,
    impressions,
    clicks,
    ctrPercent: ctr === null ? null : percent(ctr),
    // ErrorBar takes the distances below and above the bar.
    ctrInterval:
      ctr === null || interval === null
        ? [0, 0]
        : [percent(ctr) - percent(interval.low), percent(interval.high) - percent(ctr)],
  }));
  return (
    <div className="mt-3 grid gap-6 md:grid-cols-2">
      <figure className="h-64 w-full" aria-label="Impressions and clicks per variant">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 20, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="var(--color-border)" strokeDasharray="3 3" />
            <XAxis dataKey="variantId" stroke="var(--color-muted)" fontSize={12} />
            <YAxis allowDecimals={false} stroke="var(--color-muted)" fontSize={12} />
            <Tooltip contentStyle={tooltipStyle} />
            <Legend />
            <Bar
              dataKey="impressions"
              name="Impressions"
              fill="var(--color-primary)"
              isAnimationActive={false}
            >
              <LabelList dataKey="impressions" position="top" fontSize={12} fill="var(--color-on-surface)" />
            </Bar>
            <Bar dataKey="clicks" name="Clicks" fill="var(--color-secondary)" isAnimationActive={false}>
              <LabelList dataKey="clicks" position="top" fontSize={12} fill="var(--color-on-surface)" />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </figure>
      <figure className="h-64 w-full" aria-label="Click-through rate per variant with its 95 % interval">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 20, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="var(--color-border)" strokeDasharray="3 3" />
            <XAxis dataKey="variantId" stroke="var(--color-muted)" fontSize={12} />
            <YAxis unit="%" stroke="var(--color-muted)" fontSize={12} />
            <Tooltip contentStyle={tooltipStyle} />
            <Legend />
            <Bar dataKey="ctrPercent" name="CTR (%)" fill="var(--color-accent)" isAnimationActive={false}>
              <ErrorBar dataKey="ctrInterval" width={8} stroke="var(--color-on-surface)" />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}
